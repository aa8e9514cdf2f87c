-- wrk reports p50/p75/p90/p99 only; the benchmarks quote p95 too (in ms).
-- WRK_BODY, when set, makes every request a form POST of that body.
local body = os.getenv("WRK_BODY")
if body then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("p%d %.3f\n", p, latency:percentile(p) / 1000))
  end
end
