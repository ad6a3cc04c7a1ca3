-- wrk -s bench/wrk_report.lua: after the run, print one machine-readable line that
-- bench/run-bench parses. Only done() is defined: a response() hook would make wrk
-- hand every response to Lua and slow the client down, skewing fast scenarios.
-- Latencies are in microseconds. errors.status counts HTTP status >= 400 (wrk's rule);
-- errors.timeout counts requests slower than wrk's --timeout (those are NOT in the
-- latency histogram, so keep --timeout above the slowest expected latency).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "MINICORN_BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d " ..
    "status=%d timeout=%d mean_us=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
