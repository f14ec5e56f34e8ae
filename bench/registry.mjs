// Sidepunch's side of the throughput benchmark: the same no-op job as BullMQ's side, and a latency probe.
// Results go to stdout as lines starting with "BENCH ".
const latencyTarget = Number(process.env.BENCH_LATENCY_N ?? 0);
let performed = 0;
const latencies = [];

function report(value) {
  process.stdout.write(`BENCH ${JSON.stringify(value)}\n`);
}

/** Does nothing with its one small argument; reports when the first run happened. */
class NoOp {
  perform(_n) {
    if (++performed === 1) report({ first: String(process.hrtime.bigint()) });
  }
}

/** Reports how long after `sentAt` (process.hrtime.bigint(), the machine's monotonic clock) it started. */
class Latency {
  perform(sentAt) {
    latencies.push(Number(process.hrtime.bigint() - BigInt(sentAt)) / 1000);
    if (latencies.length === latencyTarget) report({ latenciesUs: latencies });
  }
}

export default { workers: { NoOp, Latency } };
