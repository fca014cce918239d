-- wrk script for bench_web.py: when the run is done, print its figures as
-- one line of JSON on standard output, prefixed with "bench_web ", so the
-- benchmark reads exact counts instead of wrk's rounded human-readable
-- summary.  Latencies are in microseconds, the duration too.
done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'bench_web {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
      '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
      '"p50_us": %d, "p99_us": %d, "max_us": %d}\n',
      summary.duration, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50.0), latency:percentile(99.0), latency.max))
end
