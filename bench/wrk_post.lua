-- wrk script: POSTs JSON bodies read from a file (one per line) to paths read from another,
-- cycling through them; each wrk thread starts at its own offset so no two requests repeat a
-- (path, body) pair within a run. Set BODIES, PATHS and TOKEN (a bearer token; empty: none) in
-- the environment, CONTENT_TYPE for bodies other than JSON (e.g. form-encoded); ONCE=1 stops
-- after each path was requested once (one action per case).
local bodies, paths = {}, {}
local counter, stride = 0, 1

local function lines(file)
  local out = {}
  for line in io.lines(file) do out[#out + 1] = line end
  return out
end

local thread_count = 0
function setup(thread)
  thread:set("offset", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  bodies = lines(os.getenv("BODIES"))
  paths = lines(os.getenv("PATHS"))
  counter = tonumber(offset) or 0
  stride = tonumber(os.getenv("THREADS") or "1")
  wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
  local token = os.getenv("TOKEN") or ""
  if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
end

local once = os.getenv("ONCE") == "1"

function request()
  if once and counter >= #paths then
    -- every case has had its one request: stop this thread (no repeats, so no 409 noise)
    wrk.thread:stop()
  end
  local i = counter % #bodies + 1
  local p = counter % #paths + 1
  counter = counter + stride
  return wrk.format("POST", paths[p], nil, bodies[i])
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "errors_status": %d, "errors_connect": %d, "errors_timeout": %d, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  out:close()
end
