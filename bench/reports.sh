#!/usr/bin/env bash
# Reports with two 1,600x1,200 JPEG screenshots each (about 440 KB a report, as a phone without
# the JavaScript shrink sends them), sent by 20 clients back to back for 30 s against the release
# build and the real PostgreSQL. Prints reports a second, latency percentiles and the server's
# peak memory (VmHWM). Usage: bench/reports.sh [seconds] [clients]
source "$(dirname "$0")/../scripts/lib/common.sh"
SECONDS_RUN="${1:-30}"
CLIENTS="${2:-20}"
ensure_rust
ensure_node_modules
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }
work="${TMPDIR:-/tmp}/mss-bench"
mkdir -p "$work"
if [ ! -x "$work/venv/bin/python" ]; then
  say "installing Pillow (to make the photos)"
  python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q pillow
fi
"$work/venv/bin/python" bench/make_photos.py "$work"

find_database mss
recreate_database mss_bench
export DATABASE_URL="$PG_SERVER_URL/mss_bench"
say "building the release"
leptos build --release >/dev/null
bin="$CARGO_TARGET_DIR/release/mss"
rm -rf "$work/blobs"
export MSS_BLOB_DIR="$work/blobs" MSS_ADDR=127.0.0.1:3900 MSS_LOG_FORMAT=json RUST_LOG=warn MSS_DB_MAX_CONNECTIONS=20
export LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=mss
# One account sends every report here: its per-account limits are lifted (the pipeline is measured).
export MSS_LIMIT_REPORTS=1000000,1000/s MSS_LIMIT_UPLOADS=1000000,1000/s
"$bin" migrate
echo "bench-password" | "$bin" user add --login bench --name 压测 --role reporter >/dev/null
token="$("$bin" token create --login bench --label bench 2>/dev/null)"
"$bin" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:3900/readyz >/dev/null && break; sleep 0.1; done
say "warm-up"
MSS_BENCH_BODY="$work/body.bin" MSS_BENCH_BOUNDARY="$(cat "$work/boundary.txt")" MSS_BENCH_TOKEN="$token" \
  wrk -t2 -c"$CLIENTS" -d5s -s bench/report.lua http://127.0.0.1:3900 >/dev/null
say "$CLIENTS clients, ${SECONDS_RUN}s"
MSS_BENCH_BODY="$work/body.bin" MSS_BENCH_BOUNDARY="$(cat "$work/boundary.txt")" MSS_BENCH_TOKEN="$token" \
  wrk -t2 -c"$CLIENTS" -d"${SECONDS_RUN}s" --timeout 10s -s bench/report.lua http://127.0.0.1:3900 | tail -n 6
grep -E 'VmHWM|VmRSS' "/proc/$pid/status"
psql -tA "$DATABASE_URL" -c "SELECT count(*) || ' incidents, ' || (SELECT count(*) FROM screenshots) || ' screenshots' FROM incidents"
