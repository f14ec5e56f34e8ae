import { pbkdf2Sync } from 'node:crypto';

// Sidepunch's side of the throughput benchmark: the same no-op job as BullMQ's side, and a latency probe.
// Results go to stdout as lines starting with "BENCH ".
const latencyTarget = Number(process.env.BENCH_LATENCY_N ?? 0);
/** How long NoOp takes, as a job waiting on a slow API does (a timer); 0: it returns at once. */
const jobMs = Number(process.env.BENCH_JOB_MS ?? 0);
let performed = 0;
const latencies = [];

function report(value) {
  process.stdout.write(`BENCH ${JSON.stringify(value)}\n`);
}

/** Does nothing with its one small argument (for BENCH_JOB_MS, but wait); reports when the first run started. */
class NoOp {
  perform(_n) {
    if (++performed === 1) report({ first: String(process.hrtime.bigint()) });
    if (jobMs > 0) return new Promise((resolve) => setTimeout(resolve, jobMs));
  }
}

/** Reports how long after `sentAt` (process.hrtime.bigint(), the machine's monotonic clock) it started. */
class Latency {
  perform(sentAt) {
    latencies.push(Number(process.hrtime.bigint() - BigInt(sentAt)) / 1000);
    if (latencies.length === latencyTarget) report({ latenciesUs: latencies });
  }
}

/** A fixed computation of about 5 ms on this machine (PBKDF2, 26,000 SHA-256 rounds). */
class Cpu {
  perform(n) {
    pbkdf2Sync(String(n), 'sidepunch', 26_000, 32, 'sha256');
  }
}

/** Waits 50 ms, as a job calling a slow API does. */
class Sleep {
  perform() {
    return new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export default { workers: { NoOp, Latency, Cpu, Sleep } };
