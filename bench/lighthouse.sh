#!/usr/bin/env bash
# Lighthouse on the reporter's pages, against the release build as it is deployed (hashed and
# precompressed assets): its mobile preset, a mid-range phone on a slow 4G link (150 ms, 1.6
# Mbit/s, the CPU slowed four times). Prints each page's performance score, largest contentful
# paint, first contentful paint, total blocking time and the bytes transferred.
#   bench/lighthouse.sh [runs]   (default 3 runs a page; the median is printed)
source "$(dirname "$0")/../scripts/lib/common.sh"
runs="${1:-3}"

ensure_rust
ensure_node_modules
ensure_chromium
find_database mss

# Lighthouse 12 (13 needs Node 22; this machine has Node 20), pinned, from the npm registry.
LIGHTHOUSE_VERSION="12.8.2"
tools="${MSS_BENCH_DIR:-/tmp/mss-bench}/lighthouse-$LIGHTHOUSE_VERSION"
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
  say "installing lighthouse $LIGHTHOUSE_VERSION"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent "lighthouse@$LIGHTHOUSE_VERSION"
fi

say "building the release (hashed, precompressed)"
leptos build --release --precompress >/dev/null
bin="$CARGO_TARGET_DIR/release/mss"

recreate_database mss_bench_lighthouse
port=3011
base="http://127.0.0.1:$port"
DATABASE_URL="$PG_SERVER_URL/mss_bench_lighthouse" MSS_DEMO=true MSS_ADDR="127.0.0.1:$port" RUST_LOG=warn \
  LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=mss "$bin" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 1 120); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.5; done
curl -fs "$base/readyz" >/dev/null || die "the server did not become ready"

# A reporter's session, as the phone holds it.
jar="$(mktemp)"
curl -fs -c "$jar" -H "Origin: $base" -H "Accept: application/json" \
  --data "login=agent&password=mss-demo-2026&next=" "$base/api/auth/sign_in" >/dev/null || die "sign-in failed"
session="$(awk '$6 == "mss_session" { print $7 }' "$jar")"
[ -n "$session" ] || die "no session cookie"

out="$(mktemp -d)"
printf '%-14s %6s %9s %9s %9s %10s\n' page score LCP FCP TBT bytes
for page in / /report/new /incidents /login; do
  headers='{}'
  [ "$page" != /login ] && headers="{\"Cookie\": \"mss_session=$session\"}"
  for run in $(seq 1 "$runs"); do
    CHROME_PATH="$CHROMIUM_PATH" "$tools/node_modules/.bin/lighthouse" "$base$page" \
      --only-categories=performance --output=json --output-path="$out/run-$run.json" --quiet \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
      --extra-headers="$headers" || die "lighthouse failed on $page"
  done
  node -e '
    const fs = require("fs");
    const [dir, runs, page] = process.argv.slice(1);
    const reports = [...Array(Number(runs)).keys()].map((i) => JSON.parse(fs.readFileSync(`${dir}/run-${i + 1}.json`)));
    const median = (f) => { const v = reports.map(f).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
    const audit = (r, id) => r.audits[id].numericValue;
    const final = reports[0].finalDisplayedUrl || reports[0].finalUrl;
    if (!final.includes(page)) { console.error(`${page} ended at ${final}`); process.exit(1); }
    console.log([page.padEnd(14),
      String(Math.round(100 * median((r) => r.categories.performance.score))).padStart(6),
      (median((r) => audit(r, "largest-contentful-paint")) / 1000).toFixed(2).padStart(8) + "s",
      (median((r) => audit(r, "first-contentful-paint")) / 1000).toFixed(2).padStart(8) + "s",
      String(Math.round(median((r) => audit(r, "total-blocking-time")))).padStart(7) + "ms",
      String(Math.round(median((r) => audit(r, "total-byte-weight")))).padStart(10)].join(" "));
  ' "$out" "$runs" "$page"
done
rm -rf "$out" "$jar"
