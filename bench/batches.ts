/**
 * `npm run bench:batches`: the cost of a job in a batch against a plain one (issue #23). One `sidepunch-run -c 20` on
 * a private redis-server; N no-op jobs pushed in bulk (1,000 a call), plain or inside one batch's jobs block, and
 * drained (for the batch: until its success callback ran). Each figure is the median of 3 runs (1 with --quick).
 * Prints the push rate, the drain rate, the ratio to plain jobs, Redis commands per job in the drain, and Redis
 * memory per pending job in a batch. `batchCosts` is also `npm run bench`'s batch row (bench/feature-cost.ts).
 */
import { parseArgs } from 'node:util';
import { type FeatureRuntime, startFeatureRuntime } from './feature-runtime.js';
import { redisCost, redisSnapshot, waitForProcessed } from './redis-cost.js';
import { repoRoot } from './repo-root.js';

const KINDS = ['plain', 'batch'] as const;
export type BatchKind = (typeof KINDS)[number];

export interface BatchRun {
  readonly pushPerSecond: number;
  readonly drainPerSecond: number;
  /** Redis commands per job while draining (the callback's included). */
  readonly commandsPerJob: number;
  /** Bytes of Redis memory per job while all are pushed and none ran (the batch's pending set included). */
  readonly bytesPerJob: number;
}

const usedMemory = async (redis: FeatureRuntime['redis']) =>
  Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

async function measure(root: string, N: number, kind: BatchKind): Promise<BatchRun> {
  const { redis, client, stop } = await startFeatureRuntime(root, 'bench/batches-registry.mjs');
  try {
    // The runtime is quiet on `work` until the jobs are pushed (to `held`, then renamed), so the push is measured
    // alone and the memory is read with every job pending.
    const memoryBefore = await usedMemory(redis);
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
    const bytesPerJob = ((await usedMemory(redis)) - memoryBefore) / N;
    const before = await redisSnapshot(redis);
    const started = performance.now();
    await redis.rename('queue:held', 'queue:work');
    const polls = await waitForProcessed(redis, kind === 'batch' ? N + 1 : N, 5);
    const seconds = (performance.now() - started) / 1000;
    // The bench's own RENAME and polling GETs are not the job's.
    const { commandsPerJob } = redisCost(before, await redisSnapshot(redis), N, polls + 1);
    return { pushPerSecond: N / pushSeconds, drainPerSecond: N / seconds, commandsPerJob, bytesPerJob };
  } finally {
    await stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Plain jobs and jobs in a batch, each figure the median of `repeats` runs, the two alternating which goes first. */
export async function batchCosts(
  root: string,
  n: number,
  repeats: number,
): Promise<Map<BatchKind, BatchRun>> {
  const allRuns = new Map<BatchKind, BatchRun[]>();
  for (let i = 0; i < repeats; i++) {
    for (const kind of i % 2 === 0 ? KINDS : [...KINDS].reverse()) {
      allRuns.set(kind, [...(allRuns.get(kind) ?? []), await measure(root, n, kind)]);
    }
  }
  const results = new Map<BatchKind, BatchRun>();
  for (const kind of KINDS) {
    const runs = allRuns.get(kind)!;
    results.set(kind, {
      pushPerSecond: median(runs.map((run) => run.pushPerSecond)),
      drainPerSecond: median(runs.map((run) => run.drainPerSecond)),
      commandsPerJob: median(runs.map((run) => run.commandsPerJob)),
      bytesPerJob: median(runs.map((run) => run.bytesPerJob)),
    });
  }
  return results;
}

if (process.argv[1]?.endsWith('batches.mjs')) {
  const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' } } });
  const quick = flags.quick === true;
  const N = quick ? 2_000 : 50_000;
  const REPEATS = quick ? 1 : 3;
  const results = await batchCosts(repoRoot(), N, REPEATS);
  const plain = results.get('plain')!;
  console.log(`batches: ${N} no-op jobs pushed 1,000 a call, one sidepunch-run -c 20, median of ${REPEATS}`);
  console.log(
    '  kind        push jobs/s   drain jobs/s   drain ×plain   µs/job (drain)   commands/job   Redis bytes/job',
  );
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
        .padStart(14)} ${run.commandsPerJob.toFixed(2).padStart(14)} ${Math.round(run.bytesPerJob)
        .toString()
        .padStart(17)}`,
    );
  }
  const batch = results.get('batch')!;
  console.log(
    `  a job in a batch costs ${(1e6 / batch.drainPerSecond - 1e6 / plain.drainPerSecond).toFixed(1)} µs more to drain ` +
      `and ${(1e6 / batch.pushPerSecond - 1e6 / plain.pushPerSecond).toFixed(1)} µs more to push`,
  );
}
