/**
 * `npm run bench:batches`: the cost of a job in a batch against a plain one (issue #23). One `sidepunch-run -c 20` on
 * a private redis-server; N no-op jobs pushed in bulk (1,000 a call), plain or inside one batch's jobs block, and
 * drained (for the batch: until its success callback ran). Each figure is the median of 3 runs (1 with --quick).
 * Prints the push rate, the drain rate, the ratio to plain jobs, and Redis memory per pending job in a batch.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client } from 'sidepunch';
import { startRedisServer } from '../scripts/redis-server.js';
import { repoRoot } from './repo-root.js';

const ROOT = repoRoot();
const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' } } });
const quick = flags.quick === true;
const N = quick ? 2_000 : 50_000;
const REPEATS = quick ? 1 : 3;
const KINDS = ['plain', 'batch'] as const;
type Kind = (typeof KINDS)[number];

interface Run {
  readonly pushPerSecond: number;
  readonly drainPerSecond: number;
  /** Bytes of Redis memory per job while all are pushed and none ran (the batch's pending set included). */
  readonly bytesPerJob: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const usedMemory = async (redis: ReturnType<Awaited<ReturnType<typeof startRedisServer>>['connect']>) =>
  Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

async function measure(kind: Kind): Promise<Run> {
  const server = await startRedisServer();
  const redis = server.connect();
  const client = new Client({ redis: server.url });
  const child = spawn(
    `${ROOT}bin/sidepunch-run.js`,
    [
      '--redis',
      server.url,
      '-c',
      '20',
      '--log-level',
      'warn',
      '-q',
      'work',
      `${ROOT}bench/batches-registry.mjs`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    while ((await redis.scard('processes')) === 0) await sleep(20);
    // The runtime is quiet on `work` until the jobs are pushed (to `held`, then renamed), so the push is measured
    // alone and the memory is read with every job pending.
    const before = await usedMemory(redis);
    const push = async () => {
      for (let i = 0; i < N; i += 1000) {
        await client.pushBulk({
          class: 'NoOp',
          queue: 'held',
          args: Array.from({ length: Math.min(1000, N - i) }, (_, j) => [i + j]),
        });
      }
    };
    const pushStarted = performance.now();
    const batch = client.batch({
      description: 'bench',
      onSuccess: { className: 'Done', options: { queue: 'work' }, args: [] },
    });
    if (kind === 'batch') await batch.jobs(push);
    else await push();
    const pushSeconds = (performance.now() - pushStarted) / 1000;
    const bytesPerJob = ((await usedMemory(redis)) - before) / N;
    const started = performance.now();
    await redis.rename('queue:held', 'queue:work');
    const expected = kind === 'batch' ? N + 1 : N;
    while (Number((await redis.get('stat:processed')) ?? 0) < expected) await sleep(5);
    const seconds = (performance.now() - started) / 1000;
    return { pushPerSecond: N / pushSeconds, drainPerSecond: N / seconds, bytesPerJob };
  } finally {
    await client.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    redis.disconnect();
    await server.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const allRuns = new Map<Kind, Run[]>();
// Alternating which goes first, as bench/throughput.ts does.
for (let i = 0; i < REPEATS; i++) {
  for (const kind of i % 2 === 0 ? KINDS : [...KINDS].reverse()) {
    const runs = allRuns.get(kind) ?? [];
    runs.push(await measure(kind));
    allRuns.set(kind, runs);
  }
}
const results = new Map<Kind, Run>();
for (const [kind, runs] of allRuns) {
  results.set(kind, {
    pushPerSecond: median(runs.map((run) => run.pushPerSecond)),
    drainPerSecond: median(runs.map((run) => run.drainPerSecond)),
    bytesPerJob: median(runs.map((run) => run.bytesPerJob)),
  });
}
const plain = results.get('plain')!;
console.log(`batches: ${N} no-op jobs pushed 1,000 a call, one sidepunch-run -c 20, median of ${REPEATS}`);
console.log('  kind        push jobs/s   drain jobs/s   drain ×plain   µs/job (drain)   Redis bytes/job');
for (const kind of KINDS) {
  const run = results.get(kind)!;
  console.log(
    `  ${kind.padEnd(10)} ${Math.round(run.pushPerSecond).toString().padStart(12)} ${Math.round(
      run.drainPerSecond,
    )
      .toString()
      .padStart(14)}   ×${(run.drainPerSecond / plain.drainPerSecond).toFixed(2).padEnd(12)} ${(
      1e6 / run.drainPerSecond
    )
      .toFixed(1)
      .padStart(14)} ${Math.round(run.bytesPerJob).toString().padStart(17)}`,
  );
}
const batch = results.get('batch')!;
console.log(
  `  a job in a batch costs ${(1e6 / batch.drainPerSecond - 1e6 / plain.drainPerSecond).toFixed(1)} µs more to drain ` +
    `and ${(1e6 / batch.pushPerSecond - 1e6 / plain.pushPerSecond).toFixed(1)} µs more to push`,
);
