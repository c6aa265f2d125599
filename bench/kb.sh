#!/usr/bin/env bash
# The knowledge base at 50,000 articles (bench/make_articles.sql; kept between runs,
# MSS_BENCH_REGENERATE=1 makes them again), against the release build and the real PostgreSQL:
#   - building the search index from scratch at start-up (target: under 60 s), and the memory it
#     adds to the server (the same server on an empty knowledge base; target: under 150 MB);
#   - the search through the REST API, 20 clients back to back over the relevance set's queries
#     (p95 target: under 30 ms);
#   - the help center's pages, server-rendered (home, system lists, articles, search results),
#     20 clients (p95 target: under 50 ms).
# Usage: bench/kb.sh [seconds] [clients] [articles]
source "$(dirname "$0")/../scripts/lib/common.sh"
SECONDS_RUN="${1:-20}"
CLIENTS="${2:-20}"
COUNT="${3:-50000}"
ensure_rust
ensure_node_modules
ensure_graphviz
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }
work="${TMPDIR:-/tmp}/mss-bench-kb"
mkdir -p "$work"
find_database mss
say "building the release"
leptos build --release >/dev/null
bin="$CARGO_TARGET_DIR/release/mss"
export MSS_BLOB_DIR="$work/blobs" MSS_ADDR=127.0.0.1:3902 MSS_LOG_FORMAT=json RUST_LOG=info
export LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=mss

export DATABASE_URL="$PG_SERVER_URL/mss_bench_kb"
have="$(psql -tA "$PG_SERVER_URL/postgres" -c "SELECT 1 FROM pg_database WHERE datname = 'mss_bench_kb'")"
if [ "${MSS_BENCH_REGENERATE:-0}" = 1 ] || [ "$have" != 1 ] || \
   [ "$(psql -tA "$DATABASE_URL" -c "SELECT count(*) >= $COUNT FROM kb_articles" 2>/dev/null)" != t ]; then
  recreate_database mss_bench_kb
  "$bin" migrate
  say "generating $COUNT articles"
  psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -v n="$COUNT" -f bench/make_articles.sql
else
  "$bin" migrate
fi

rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
ready_wait() { for _ in $(seq 1200); do curl -sf "http://$MSS_ADDR/readyz" >/dev/null && return 0; sleep 0.1; done; die "not ready"; }

# The same server on an empty knowledge base: what it takes without the index.
recreate_database mss_bench_kb_empty
DATABASE_URL="$PG_SERVER_URL/mss_bench_kb_empty" "$bin" migrate
DATABASE_URL="$PG_SERVER_URL/mss_bench_kb_empty" "$bin" > "$work/empty.log" 2>&1 &
pid=$!
ready_wait
sleep 1
empty_rss="$(rss_mb $pid)"
kill $pid; wait $pid 2>/dev/null || true

started=$(date +%s.%N)
"$bin" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
ready_wait
ready_s="$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.1f", a - b }')"
built="$(grep -m1 'search index built' "$work/server.log" | sed -E 's/.*"articles":([0-9]+).*"ms":([0-9]+).*/\1 articles in \2 ms/')"
sleep 1
full_rss="$(rss_mb $pid)"
echo "index: $built (ready after ${ready_s} s); server memory ${empty_rss} MB empty, ${full_rss} MB with the index: +$((full_rss - empty_rss)) MB"

echo "bench-password" | "$bin" user add --login bench_reader --name 压测客户经理 --role reporter >/dev/null 2>&1 || true
jar="$work/cookies"
rm -f "$jar"
curl -sf -c "$jar" -H 'accept: application/json' -d 'login=bench_reader&password=bench-password&next=' \
  "http://$MSS_ADDR/api/auth/sign_in" >/dev/null || die "could not sign in"
cookie="$(awk '$6 == "mss_session" { print "mss_session=" $7 }' "$jar")"
[ -n "$cookie" ] || die "no session cookie"

# The scored queries, URL-encoded, as the REST search and as the help center's search page;
# published articles for the article pages.
psql -tA "$DATABASE_URL" -c "SELECT id FROM kb_articles WHERE status = 'published' AND deleted_at IS NULL ORDER BY id" > "$work/published"
python3 - "$work" <<'PY'
import json, sys, urllib.parse
work = sys.argv[1]
published = [int(l) for l in open(f"{work}/published") if l.strip()]
qs = [json.loads(l)["q"] for l in open("bench/kb-relevance/queries.jsonl", encoding="utf-8") if l.strip()]
with open(f"{work}/search", "w") as f:
    for q in qs:
        f.write("/api/v1/kb/search?q=" + urllib.parse.quote(q) + "\n")
with open(f"{work}/pages", "w") as f:
    systems = ["account_opening", "account", "trading", "custody", "wealth", "app"]
    for i, q in enumerate(qs[:100]):
        f.write("/help\n")
        f.write(f"/help/systems/{systems[i % len(systems)]}\n")
        f.write(f"/help/articles/{published[(i * 487) % len(published)]}\n")
        f.write("/help/search?q=" + urllib.parse.quote(q) + "\n")
PY
run() { # name paths
  MSS_BENCH_COOKIE="$cookie" MSS_BENCH_PATHS="$2" wrk -t2 -c"$CLIENTS" -d5s -s bench/queue.lua "http://$MSS_ADDR" >/dev/null
  say "$1: $CLIENTS clients, ${SECONDS_RUN}s"
  MSS_BENCH_COOKIE="$cookie" MSS_BENCH_PATHS="$2" wrk -t2 -c"$CLIENTS" -d"${SECONDS_RUN}s" --timeout 10s -s bench/queue.lua "http://$MSS_ADDR" | tail -n 5
}
run "search (REST)" "$work/search"
run "help-center pages" "$work/pages"
echo "server memory after the runs: $(rss_mb $pid) MB"
