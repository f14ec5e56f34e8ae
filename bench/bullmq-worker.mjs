// BullMQ's side of the throughput benchmark, in its own process as sidepunch-run is:
//   node bench/bullmq-worker.mjs <redis port> <concurrency> <drain N | latency N>
// Reports on stdout ("BENCH " lines) the first processor call and the Nth 'completed' event (drain), or the
// enqueue-to-start latencies (latency; the job's data is [sentAt]), with process.hrtime.bigint(), the machine's monotonic clock.
import { Worker } from 'bullmq';

const [port, concurrency, mode, count] = process.argv.slice(2);
const target = Number(count);
const connection = { host: '127.0.0.1', port: Number(port) };
let started = 0;
let completed = 0;
const latencies = [];
/** How long a drained job takes (a timer, as a call to a slow API); 0: it returns at once. */
const jobMs = Number(process.env.BENCH_JOB_MS ?? 0);

function report(value) {
  process.stdout.write(`BENCH ${JSON.stringify(value)}\n`);
}

const worker = new Worker(
  'bench',
  async (job) => {
    if (mode === 'latency') {
      latencies.push(Number(process.hrtime.bigint() - BigInt(job.data[0])) / 1000);
      if (latencies.length === target) report({ latenciesUs: latencies });
      return;
    }
    if (++started === 1) report({ first: String(process.hrtime.bigint()) });
    if (jobMs > 0) await new Promise((resolve) => setTimeout(resolve, jobMs));
  },
  { connection, concurrency: Number(concurrency) },
);
if (mode === 'drain') {
  worker.on('completed', () => {
    if (++completed === target) report({ last: String(process.hrtime.bigint()) });
  });
}
worker.on('ready', () => report({ ready: true }));
process.on('SIGTERM', async () => {
  await worker.close();
  process.exit(0);
});
