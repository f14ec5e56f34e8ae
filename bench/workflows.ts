/**
 * `npm run bench:workflows`: the cost of a job in a workflow against a plain one (issue #23). One `sidepunch-run -c
 * 20` on a private redis-server; N no-op jobs pushed plain (1,000 a call) or as workflows of 1,000 children under one
 * parent each, then drained (for the workflows: until every parent ran, with its children's results). Each figure is
 * the median of 3 runs (1 with --quick). Prints the push rate, the drain rate, the ratio to plain jobs and Redis
 * commands per job in the drain (the parents' runs included).
 */
import { parseArgs } from 'node:util';
import type { FlowNode } from 'sidepunch';
import { startFeatureRuntime } from './feature-runtime.js';
import { redisCost, redisSnapshot, waitForProcessed } from './redis-cost.js';
import { repoRoot } from './repo-root.js';

const KINDS = ['plain', 'workflow'] as const;
type Kind = (typeof KINDS)[number];
const FAN_OUT = 1000;

interface Run {
  readonly pushPerSecond: number;
  readonly drainPerSecond: number;
  readonly commandsPerJob: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(root: string, N: number, kind: Kind): Promise<Run> {
  const { redis, client, stop } = await startFeatureRuntime(root, 'bench/workflows-registry.mjs');
  try {
    // Pushed to `held`, then renamed to `work`: the push is measured alone.
    const pushStarted = performance.now();
    for (let i = 0; i < N; i += FAN_OUT) {
      const args = Array.from({ length: Math.min(FAN_OUT, N - i) }, (_, j) => [i + j]);
      if (kind === 'plain') await client.pushBulk({ class: 'NoOp', queue: 'held', args });
      else {
        const children = args.map(
          (list): FlowNode => ({ className: 'NoOp', options: { queue: 'held' }, args: list, children: [] }),
        );
        await client.pushFlow({ className: 'Sum', options: { queue: 'work' }, args: [], children });
      }
    }
    const pushSeconds = (performance.now() - pushStarted) / 1000;
    const before = await redisSnapshot(redis);
    const started = performance.now();
    await redis.rename('queue:held', 'queue:work');
    const polls = await waitForProcessed(redis, kind === 'workflow' ? N + Math.ceil(N / FAN_OUT) : N, 5);
    const seconds = (performance.now() - started) / 1000;
    const { commandsPerJob } = redisCost(before, await redisSnapshot(redis), N, polls + 1);
    return { pushPerSecond: N / pushSeconds, drainPerSecond: N / seconds, commandsPerJob };
  } finally {
    await stop();
  }
}

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' } } });
const quick = flags.quick === true;
const N = quick ? 2_000 : 50_000;
const REPEATS = quick ? 1 : 3;
const runs = new Map<Kind, Run[]>();
for (let i = 0; i < REPEATS; i++) {
  for (const kind of i % 2 === 0 ? KINDS : [...KINDS].reverse()) {
    runs.set(kind, [...(runs.get(kind) ?? []), await measure(repoRoot(), N, kind)]);
  }
}
const result = (kind: Kind): Run => {
  const all = runs.get(kind)!;
  return {
    pushPerSecond: median(all.map((run) => run.pushPerSecond)),
    drainPerSecond: median(all.map((run) => run.drainPerSecond)),
    commandsPerJob: median(all.map((run) => run.commandsPerJob)),
  };
};
const plain = result('plain');
console.log(
  `workflows: ${N} no-op jobs, plain or ${FAN_OUT} children under one parent, one sidepunch-run -c 20, median of ${REPEATS}`,
);
console.log('  kind        push jobs/s   drain jobs/s   drain ×plain   commands/job');
for (const kind of KINDS) {
  const run = result(kind);
  console.log(
    `  ${kind.padEnd(10)} ${Math.round(run.pushPerSecond).toString().padStart(12)} ${Math.round(
      run.drainPerSecond,
    )
      .toString()
      .padStart(
        14,
      )}   ×${(run.drainPerSecond / plain.drainPerSecond).toFixed(2).padEnd(12)} ${run.commandsPerJob
      .toFixed(2)
      .padStart(12)}`,
  );
}
