/**
 * The load generator of bench:serve, run as its own process so that it does not take the CPU of
 * the server it measures. autocannon drives the connections; every response's latency is kept
 * exactly (autocannon's own histogram rounds to whole milliseconds, too coarse for a 2 ms target).
 *
 * Input (stdin, JSON): { url, connections, seconds, warmupSeconds, requests: [[{ method, path, headers, body }]] }
 * where `requests` holds one list per connection, cycled in order (pre-signed: SigV4 allows replay
 * within its 15-minute window). Output (stdout): a line `measuring` once warm, then one JSON line: { requests, seconds, perSecond, p50Ms, p99Ms, maxMs, non2xx, errors, clientCpuUs }.
 */
import autocannon from 'autocannon';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const spec = JSON.parse(Buffer.concat(chunks).toString('utf8'));

function run(seconds, record) {
  return new Promise((resolve, reject) => {
    let next = 0;
    const latencies = [];
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: seconds,
        // Each connection gets its own request list (distinct identifiers per connection).
        setupClient: (client) => client.setRequests(spec.requests[next++ % spec.requests.length]),
      },
      (error, result) => (error ? reject(error) : resolve({ result, latencies })),
    );
    if (record) instance.on('response', (_client, status, _bytes, ms) => status >= 200 && status < 300 && latencies.push(ms));
  });
}

if (spec.warmupSeconds > 0) await run(spec.warmupSeconds, false);
process.stdout.write('measuring\n'); // the parent samples the server's CPU from here
const cpuAtStart = process.cpuUsage();
const { result, latencies } = await run(spec.seconds, true);
const cpu = process.cpuUsage(cpuAtStart);
const sorted = Float64Array.from(latencies).sort();
const at = (p) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
const total = result.requests.total;
process.stdout.write(
  JSON.stringify({
    requests: total,
    seconds: result.duration,
    perSecond: total / result.duration,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    // The generator's own CPU per request: on a shared machine, what it takes the server cannot have.
    clientCpuUs: (cpu.user + cpu.system) / total,
  }),
);
