/**
 * `npm run bench:limits`: the cost of a limited or unique job against a plain one (issues #22, #25). One
 * `sidepunch-run -c 20` on a private redis-server drains N no-op jobs of each kind (plain, under a concurrency
 * limit never reached, under a window limit never reached, unique by its arguments), pushed while it runs; each
 * figure is the median of 3 runs (1 with --quick). Prints jobs/s, the ratio to the plain job and the Redis
 * commands per job (pushes included). `limitCosts` is the same measurement for `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client } from 'sidepunch';
import { startRedisServer } from '../scripts/redis-server.js';
import { redisCost, redisSnapshot, waitForProcessed } from './redis-cost.js';
import { repoRoot } from './repo-root.js';

export const LIMIT_KINDS = ['NoOp', 'ConcurrentNoOp', 'WindowNoOp', 'UniqueNoOp'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];
/** What the client must be told at push time (the worker's unique option lives in the registry, not the client). */
const PUSH_OPTIONS: Partial<Record<LimitKind, object>> = { UniqueNoOp: { unique: { for: 600 } } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function drain(
  root: string,
  kind: LimitKind,
  n: number,
): Promise<{ rate: number; commandsPerJob: number }> {
  const server = await startRedisServer();
  const redis = server.connect();
  const child = spawn(
    `${root}bin/sidepunch-run.js`,
    ['--redis', server.url, '-c', '20', '--log-level', 'warn', `${root}bench/limits-registry.mjs`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    while ((await redis.scard('processes')) === 0) await sleep(20);
    const client = new Client({ redis: server.url });
    const before = await redisSnapshot(redis);
    const started = performance.now();
    for (let i = 0; i < n; i += 1000) {
      await client.pushBulk({
        class: kind,
        args: Array.from({ length: Math.min(1000, n - i) }, (_, j) => [i + j]),
        ...PUSH_OPTIONS[kind],
      });
    }
    const polls = await waitForProcessed(redis, n, 5);
    const seconds = (performance.now() - started) / 1000;
    const { commandsPerJob } = redisCost(before, await redisSnapshot(redis), n, polls);
    await client.close();
    return { rate: n / seconds, commandsPerJob };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    redis.disconnect();
    await server.stop();
  }
}

/** Each kind's median jobs/s and commands per job, the kinds taking turns. */
export async function limitCosts(
  root: string,
  n: number,
  repeats: number,
  kinds: readonly LimitKind[] = LIMIT_KINDS,
): Promise<Map<LimitKind, { rate: number; commandsPerJob: number }>> {
  const runs = new Map<LimitKind, { rate: number; commandsPerJob: number }[]>();
  for (let repeat = 0; repeat < repeats; repeat++)
    for (const kind of kinds) runs.set(kind, [...(runs.get(kind) ?? []), await drain(root, kind, n)]);
  return new Map(
    kinds.map((kind) => {
      const all = runs.get(kind)!;
      return [
        kind,
        { rate: median(all.map((r) => r.rate)), commandsPerJob: median(all.map((r) => r.commandsPerJob)) },
      ];
    }),
  );
}

if (process.argv[1]?.endsWith('limits.mjs')) {
  const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' } } });
  const quick = flags.quick === true;
  const n = quick ? 2_000 : 20_000;
  const repeats = quick ? 1 : 3;
  const results = await limitCosts(repoRoot(), n, repeats);
  const base = results.get('NoOp')!.rate;
  console.log(`limits: ${n} no-op jobs, one sidepunch-run -c 20, median of ${repeats}`);
  for (const [kind, { rate, commandsPerJob }] of results) {
    console.log(
      `  ${kind.padEnd(16)} ${Math.round(rate).toString().padStart(8)} jobs/s   ×${(rate / base).toFixed(2)}   ${commandsPerJob.toFixed(2)} commands/job`,
    );
  }
}
