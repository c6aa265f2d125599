#!/usr/bin/env bash
# Live updates and WeCom pushes against the release build, PostgreSQL and the fake WeCom
# (`mss fake-wecom`), all on this machine (bench/live.py does the measuring):
#   - a reply's commit to its app message arriving at WeCom, healthy (p99 target: under 1 s);
#   - 10,000 deliveries pending after an outage: how fast they drain, the server's memory;
#   - 2,000 open live connections: the server's memory (target: under 200 MB), and a change
#     reaching every one of them;
#   - a reply's commit to its text appearing in a reporter's page in Chromium (bench/live-browser.mjs;
#     p99 target: under 300 ms).
# Usage: bench/live.sh [phases: push,backlog,streams,browser]
source "$(dirname "$0")/../scripts/lib/common.sh"
PHASES="${1:-push,backlog,streams,browser}"
ensure_rust
ensure_node_modules
ensure_chromium
work="${TMPDIR:-/tmp}/mss-bench-live"
rm -rf "$work" && mkdir -p "$work"

find_database mss
recreate_database mss_bench_live
export DATABASE_URL="$PG_SERVER_URL/mss_bench_live"
say "building the release"
leptos build --release --bin-features ssr --bin-features fake-wecom >/dev/null
bin="$CARGO_TARGET_DIR/release/mss"
"$bin" migrate >/dev/null

# The fake WeCom, and the app pointed at it. One member may take 30 app messages a minute in
# the real WeCom; here the limit is lifted on both sides, so the backlog measures our drain
# rate (with it, 10,000 to one member take 333 minutes, by WeCom's rule).
"$bin" fake-wecom --addr 127.0.0.1:3991 --member-per-window 1000000 > "$work/fake.log" 2>&1 &
export MSS_WECOM_MEMBER_PER_MINUTE=1000000
fake=$!
export MSS_WECOM_API_BASE=http://127.0.0.1:3991 MSS_WECOM_OAUTH_BASE=http://127.0.0.1:3991
export MSS_WECOM_CORP_ID=ww-fake-corp MSS_WECOM_CORP_SECRET=fake-secret MSS_WECOM_AGENT_ID=1000002
export MSS_WECOM_ROBOT_URL="http://127.0.0.1:3991/cgi-bin/webhook/send?key=fake-robot-key"
export MSS_BLOB_DIR="$work/blobs" MSS_ADDR=127.0.0.1:3902 MSS_LOG_FORMAT=json RUST_LOG=warn
export LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=mss
# One handler sends every reply here: the per-account limits are lifted (delivery is measured).
export MSS_LIMIT_ACTIONS=1000000,1000/s MSS_LIMIT_MESSAGES=1000000,1000/s MSS_LIMIT_REPORTS=1000000,1000/s
echo "bench-password" | "$bin" user add --login bench_live_handler --name 压测处理员 --role handler >/dev/null
echo "bench-password" | "$bin" user add --login bench_live_agent --name 压测上报人 --role reporter --wecom-user bench-agent >/dev/null
handler_token="$("$bin" token create --login bench_live_handler --label bench 2>/dev/null)"
reporter_token="$("$bin" token create --login bench_live_agent --label bench 2>/dev/null)"
# 2,000 streams need as many open files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$bin" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid $fake 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:3902/readyz >/dev/null && break; sleep 0.1; done
jar="$work/cookies"
curl -sf -c "$jar" -H 'accept: application/json' -d 'login=bench_live_agent&password=bench-password&next=' \
  http://127.0.0.1:3902/api/auth/sign_in >/dev/null || die "could not sign in"
cookie="$(awk '$6 == "mss_session" { print "mss_session=" $7 }' "$jar")"
[ -n "$cookie" ] || die "no session cookie"

py_phases="$(echo "$PHASES" | tr ',' '\n' | { grep -v '^browser$' || true; } | paste -sd, -)"
if [ -n "$py_phases" ]; then
  python3 bench/live.py http://127.0.0.1:3902 http://127.0.0.1:3991 "$DATABASE_URL" "$pid" \
    "$handler_token" "$reporter_token" "$cookie" "$py_phases"
fi
if echo "$PHASES" | grep -q browser; then
  (cd end2end && MSS_BENCH_BASE=http://127.0.0.1:3902 MSS_BENCH_TOKEN="$handler_token" \
    MSS_BENCH_REPORTER_TOKEN="$reporter_token" node ../bench/live-browser.mjs)
fi
grep -E 'VmHWM' "/proc/$pid/status"
