-- wrk script: a handler's queue pages, server-rendered, each request with another single filter
-- (round robin over MSS_BENCH_PATHS, one path a line), signed in by MSS_BENCH_COOKIE.
local cookie = os.getenv("MSS_BENCH_COOKIE")
local paths = {}
for line in io.lines(os.getenv("MSS_BENCH_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = 0

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Cookie"] = cookie, ["Accept"] = "text/html" })
end

local statuses = {}
function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("requests/s: %.1f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("p%d: %.1f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
