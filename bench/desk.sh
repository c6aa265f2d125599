#!/usr/bin/env bash
# The desk at a million incidents: generates them (bench/make_incidents.sql; kept between runs,
# MSS_BENCH_REGENERATE=1 makes them again), then measures against the release build and the
# real PostgreSQL:
#   - the queue page, server-rendered, one filter per request over a round robin of filters,
#     20 handlers back to back (p95 target: under 50 ms);
#   - searches through the REST API, one client: a customer number (under 20 ms) and Chinese
#     words of the description (支付, 开户失败: under 100 ms);
# and prints each query's plan. Usage: bench/desk.sh [seconds] [clients] [incidents]
source "$(dirname "$0")/../scripts/lib/common.sh"
SECONDS_RUN="${1:-20}"
CLIENTS="${2:-20}"
COUNT="${3:-1000000}"
ensure_rust
ensure_node_modules
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }
work="${TMPDIR:-/tmp}/mss-bench-desk"
mkdir -p "$work"

find_database mss
export DATABASE_URL="$PG_SERVER_URL/mss_bench_desk"
say "building the release"
leptos build --release >/dev/null
bin="$CARGO_TARGET_DIR/release/mss"
# The app's own pool size (MSS_DB_MAX_CONNECTIONS, default 10): with PostgreSQL on the same two
# cores, 20 connections were slower (p95 57 ms against 44 ms), the backends crowding each other.
export MSS_BLOB_DIR="$work/blobs" MSS_ADDR=127.0.0.1:3901 MSS_LOG_FORMAT=json RUST_LOG=warn
unset MSS_DB_MAX_CONNECTIONS
export LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=mss
have="$(psql -tA "$PG_SERVER_URL/postgres" -c "SELECT 1 FROM pg_database WHERE datname = 'mss_bench_desk'")"
if [ "${MSS_BENCH_REGENERATE:-0}" = 1 ] || [ "$have" != 1 ] || \
   [ "$(psql -tA "$DATABASE_URL" -c "SELECT count(*) >= $COUNT FROM incidents" 2>/dev/null)" != t ]; then
  recreate_database mss_bench_desk
  "$bin" migrate
  say "generating $COUNT incidents (a few minutes)"
  time psql -q "$DATABASE_URL" -v n="$COUNT" -f bench/make_incidents.sql
else
  "$bin" migrate
fi
psql -tA "$DATABASE_URL" -c "SELECT status, count(*) FROM incidents GROUP BY status ORDER BY 2 DESC" | tr '\n' ' '; echo
echo "bench-password" | "$bin" user add --login bench_desk --name 压测处理员 --role handler >/dev/null 2>&1 || true
"$bin" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:3901/readyz >/dev/null && break; sleep 0.1; done
jar="$work/cookies"
rm -f "$jar"
curl -sf -c "$jar" -H 'accept: application/json' -d 'login=bench_desk&password=bench-password&next=' \
  http://127.0.0.1:3901/api/auth/sign_in >/dev/null || die "could not sign in"
cookie="$(awk '$6 == "mss_session" { print "mss_session=" $7 }' "$jar")"
[ -n "$cookie" ] || die "no session cookie"
cat > "$work/paths" <<'PATHS'
/desk
/desk?status=new
/desk?status=in_progress
/desk?status=closed
/desk?priority=P1
/desk?assignee=unassigned
/desk?sla=late
/desk?sla=due_soon
/desk?category=data
/desk?system=trading
/desk?sort=priority
/desk?sort=due
/desk?sort=oldest
/desk?group=operations
/desk?from=2026-01-01&to=2026-01-31
/desk?status=all
PATHS
say "warm-up"
MSS_BENCH_COOKIE="$cookie" MSS_BENCH_PATHS="$work/paths" wrk -t2 -c"$CLIENTS" -d5s -s bench/queue.lua http://127.0.0.1:3901 >/dev/null
# CPU seconds (user + system) of the app, of PostgreSQL's processes and of the whole machine.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() { local t=0 p; for p in $(pgrep -u postgres); do t=$((t + $(ticks "$p"))); done; echo "$t"; }
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
say "queue pages: $CLIENTS handlers, ${SECONDS_RUN}s, one filter each"
app0="$(ticks "$pid")" pg0="$(postgres_ticks)" all0="$(machine_ticks)"
MSS_BENCH_COOKIE="$cookie" MSS_BENCH_PATHS="$work/paths" wrk -t2 -c"$CLIENTS" -d"${SECONDS_RUN}s" --timeout 10s -s bench/queue.lua http://127.0.0.1:3901 | tail -n 5
hz="$(getconf CLK_TCK)"
awk -v a=$(( $(ticks "$pid") - app0 )) -v p=$(( $(postgres_ticks) - pg0 )) -v m=$(( $(machine_ticks) - all0 )) -v hz="$hz" \
  'BEGIN { printf "CPU seconds: app %.1f, PostgreSQL %.1f, the rest (wrk, other) %.1f, machine %.1f\n", a / hz, p / hz, (m - a - p) / hz, m / hz }'
search() { # label query
  local number times
  number="$(psql -tA "$DATABASE_URL" -c "SELECT customer_number FROM incidents ORDER BY id DESC OFFSET 1000 LIMIT 1")"
  local q="${2//\{customer\}/$number}"
  for _ in $(seq 5); do curl -s -o /dev/null -b "$cookie" "http://127.0.0.1:3901/api/v1/incidents?$q"; done
  times="$(for _ in $(seq 50); do curl -s -o /dev/null -w '%{time_total}\n' -b "$cookie" "http://127.0.0.1:3901/api/v1/incidents?$q"; done | sort -n)"
  printf '%-28s p50 %6.1f ms  p95 %6.1f ms\n' "$1" \
    "$(echo "$times" | sed -n 25p | awk '{ print $1 * 1000 }')" "$(echo "$times" | sed -n 48p | awk '{ print $1 * 1000 }')"
}
say "searches: one client, 50 each"
search "customer number" "q={customer}"
search "支付 (description)" "q=%E6%94%AF%E4%BB%98"
search "开户失败 (description)" "q=%E5%BC%80%E6%88%B7%E5%A4%B1%E8%B4%A5"
search "a customer's name" "q=%E6%AC%A7%E9%98%B3%E5%A8%9C"
grep -E 'VmHWM' "/proc/$pid/status"
