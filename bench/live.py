#!/usr/bin/env python3
"""Live updates and WeCom pushes, measured against a running release server and the fake WeCom
(bench/live.sh starts both). Standard library only.

  push       commit of a reply -> its app message received by the fake WeCom (healthy, under
             the limits): p50/p95/p99 over N replies.
  backlog    10,000 deliveries pending after an outage (WeCom answering 502), then WeCom back:
             how long they take to drain, and the server's memory while they do.
  streams    2,000 open /api/live connections: the server's memory, and every one of them
             receiving a change.

Times: a reply's commit is taken as its timeline entry's created_at (the transaction's start,
so slightly before the commit: the latency is, if anything, overstated); the fake records when
a message arrived. Both clocks are this machine's.
"""
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

BASE, FAKE, DB, PID = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
HANDLER_TOKEN, REPORTER_TOKEN, REPORTER_COOKIE = sys.argv[5], sys.argv[6], sys.argv[7]
PHASES = sys.argv[8].split(",") if len(sys.argv) > 8 else ["push", "backlog", "streams"]


def call(method, url, token=None, body=None, headers=None):
    data = None
    h = dict(headers or {})
    if token:
        h["authorization"] = f"Bearer {token}"
    if body is not None and not isinstance(body, bytes):
        data = json.dumps(body).encode()
        h["content-type"] = "application/json"
    elif body is not None:
        data = body
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    with urllib.request.urlopen(req, timeout=30) as res:
        text = res.read()
        return json.loads(text) if text else None


def sql(query):
    out = subprocess.run(["psql", "-tAq", "-v", "ON_ERROR_STOP=1", DB], input=query, check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.strip().splitlines() if line]


def rss_mb():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def new_incident(customer):
    boundary = uuid.uuid4().hex
    incident = {"customer": {"name": customer, "customer_no": "310012345678"}, "system": "trading", "description": "压测：客户委托后一直显示已报，没有成交回报"}
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"incident\"\r\nContent-Type: application/json\r\n\r\n"
        + json.dumps(incident, ensure_ascii=False)
        + f"\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"content-type": f"multipart/form-data; boundary={boundary}", "idempotency-key": str(uuid.uuid4())}
    return call("POST", f"{BASE}/api/v1/incidents", REPORTER_TOKEN, body, headers)


def reply(incident, version, text):
    return call("POST", f"{BASE}/api/v1/incidents/{incident}/actions", HANDLER_TOKEN, {"action": "reply", "version": version, "body": text})


def received():
    return call("GET", f"{FAKE}/fake/received")


def fault(kind):
    call("POST", f"{FAKE}/fake/fault", body={"fault": kind})


def claimed_incident(customer):
    created = new_incident(customer)
    after = call("POST", f"{BASE}/api/v1/incidents/{created['id']}/actions", HANDLER_TOKEN, {"action": "claim", "version": created["version"]})
    return created["id"], after["version"]


def push_latency(n=300, rate=10.0):
    call("POST", f"{FAKE}/fake/reset")
    incident, version = claimed_incident("推送延迟")
    tag = uuid.uuid4().hex[:8]
    for i in range(n):
        started = time.time()
        version = reply(incident, version, f"bench-{tag}-{i}")["version"]
        time.sleep(max(0.0, 1.0 / rate - (time.time() - started)))
    deadline = time.time() + 60
    while time.time() < deadline:
        got = [r for r in received() if r["endpoint"] == "app" and r["errcode"] == 0 and f"bench-{tag}-" in json.dumps(r["body"], ensure_ascii=False)]
        if len(got) >= n:
            break
        time.sleep(0.2)
    arrived = {}
    for r in got:
        text = json.dumps(r["body"], ensure_ascii=False)
        i = int(text.split(f"bench-{tag}-")[1].split("<")[0].split('"')[0])
        arrived.setdefault(i, r["at_ms"])
    committed = {int(b.split("-")[-1]): float(ms) for b, ms in sql(f"SELECT body, extract(epoch FROM created_at) * 1000 FROM incident_events WHERE body LIKE 'bench-{tag}-%'")}
    latencies = [arrived[i] - committed[i] for i in arrived if i in committed]
    print(f"push: {len(arrived)}/{n} replies delivered once each ({len(got)} received); commit -> WeCom: "
          f"p50 {pct(latencies, 50):.0f} ms, p95 {pct(latencies, 95):.0f} ms, p99 {pct(latencies, 99):.0f} ms, max {max(latencies):.0f} ms")


def backlog(total=10_000, per_incident=100):
    call("POST", f"{FAKE}/fake/reset")
    fault("server_error")
    incidents = [claimed_incident(f"积压{k}")[0] for k in range(total // per_incident)]
    handler = sql("SELECT id FROM users WHERE login = 'bench_live_handler'")[0][0]
    tag = uuid.uuid4().hex[:8]
    # The outage's backlog: replies written straight into the timeline (as the app writes them),
    # so the worker makes their deliveries and keeps failing to send them.
    ids = ",".join(str(i) for i in incidents)
    sql(f"INSERT INTO incident_events (incident_id, kind, actor_id, body) "
        f"SELECT i, 'reply', {handler}, 'backlog-{tag}-' || i || '-' || k FROM unnest(ARRAY[{ids}]::bigint[]) i, generate_series(0, {per_incident - 1}) k")
    deadline = time.time() + 120
    while time.time() < deadline:
        pending = int(sql(f"SELECT count(*) FROM deliveries d JOIN incident_events e ON e.id = d.event_id WHERE e.body LIKE 'backlog-{tag}-%' AND d.state = 'pending'")[0][0])
        if pending >= total:
            break
        time.sleep(0.5)
    print(f"backlog: {pending} deliveries pending while WeCom answers 502; server RSS {rss_mb():.1f} MB")
    samples = []
    started = time.time()
    fault("none")
    while time.time() - started < 600:
        left = int(sql(f"SELECT count(*) FROM deliveries d JOIN incident_events e ON e.id = d.event_id WHERE e.body LIKE 'backlog-{tag}-%' AND d.state <> 'sent'")[0][0])
        samples.append(rss_mb())
        if left == 0:
            break
        time.sleep(0.5)
    took = time.time() - started
    got = [r for r in received() if r["endpoint"] == "app" and r["errcode"] == 0 and f"backlog-{tag}-" in json.dumps(r["body"], ensure_ascii=False)]
    keys = {json.dumps(r["body"], ensure_ascii=False).split(f"backlog-{tag}-")[1].split("<")[0] for r in got}
    print(f"backlog: drained {total} in {took:.1f} s ({total / took:.0f}/s); {len(got)} received, {len(keys)} distinct; "
          f"server RSS while draining: min {min(samples):.1f} MB, max {max(samples):.1f} MB, last {samples[-1]:.1f} MB")


async def streams(n=2000):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 200)), hard))
    host, port = BASE.split("//")[1].split(":")
    before = rss_mb()
    conns = []
    for i in range(n):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET /api/live HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nCookie: {REPORTER_COOKIE}\r\n\r\n".encode())
        await writer.drain()
        conns.append((reader, writer))
    # Each answers 200 and keeps the stream open.
    for reader, _ in conns:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 200"), head[:60]
    await asyncio.sleep(2)
    held = rss_mb()
    incident, version = await asyncio.to_thread(claimed_incident, "两千连接")
    tag = uuid.uuid4().hex[:8]
    await asyncio.to_thread(reply, incident, version, f"streams-{tag}")

    async def hears(reader):
        seen = b""
        while b"reply" not in seen:
            seen += await reader.read(4096)
        return True

    started = time.time()
    results = await asyncio.gather(*(asyncio.wait_for(hears(r), 20) for r, _ in conns), return_exceptions=True)
    took = time.time() - started
    ok = sum(1 for r in results if r is True)
    after = rss_mb()
    for _, writer in conns:
        writer.close()
    print(f"streams: {n} open; server RSS {before:.1f} MB before, {held:.1f} MB holding them, {after:.1f} MB after a change "
          f"reached {ok}/{n} of them (all within {took * 1000:.0f} ms of each other's reading)")


if __name__ == "__main__":
    if "push" in PHASES:
        push_latency()
    if "backlog" in PHASES:
        backlog()
    if "streams" in PHASES:
        asyncio.run(streams())
