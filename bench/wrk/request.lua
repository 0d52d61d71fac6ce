-- wrk script for bench/run: the request's headers and body come from the environment,
-- and one line at the end reports what bench/load.py reads.
--   BENCH_COOKIE  a signed-in session's Cookie header (pages)
--   BENCH_TOKEN   an API token (Authorization: Bearer ...)
--   BENCH_BODY    a JSON body: the request becomes a POST
local cookie = os.getenv("BENCH_COOKIE")
local token = os.getenv("BENCH_TOKEN")
local body = os.getenv("BENCH_BODY")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Per thread: answers other than 200 (a redirect to the sign-in page would look fast).
not_ok = 0
function response(status, headers, response_body)
  if status ~= 200 then not_ok = not_ok + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("not_ok") or 0) end
  io.write(string.format("BENCH p50_us=%d p95_us=%d requests=%d duration_us=%d not_ok=%d\n",
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration, bad))
end
