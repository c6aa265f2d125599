-- wrk script: every request is one report (the multipart body made by make_photos.py) with a
-- fresh Idempotency-Key, so each one is filed and its two photos processed.
local f = assert(io.open(os.getenv("MSS_BENCH_BODY"), "rb"))
local body = f:read("*a")
f:close()
local boundary = os.getenv("MSS_BENCH_BOUNDARY")
local token = os.getenv("MSS_BENCH_TOKEN")
local counter = 0

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end

local function uuid()
  counter = counter + 1
  return string.format("%08x-0000-4000-8000-%012x", tonumber(tid) % 0xffffffff, counter)
end

function request()
  return wrk.format("POST", "/api/v1/incidents", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Idempotency-Key"] = uuid(),
  }, body)
end

local statuses = {}
function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("reports/s: %.1f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("p%d: %.1f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
