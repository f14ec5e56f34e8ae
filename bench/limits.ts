/**
 * `npm run bench:limits`: the cost of a limited job against an unlimited one (issue #22). One `sidepunch-run -c 20`
 * on a private redis-server drains N no-op jobs of each kind (unlimited, under a concurrency limit never reached,
 * under a window limit never reached); each figure is the median of 3 runs (1 with --quick). Prints jobs/s and the
 * ratio to the unlimited job.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client } from 'sidepunch';
import { startRedisServer } from '../scripts/redis-server.js';
import { repoRoot } from './repo-root.js';

const ROOT = repoRoot();
const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' } } });
const quick = flags.quick === true;
const N = quick ? 2_000 : 20_000;
const REPEATS = quick ? 1 : 3;
const KINDS = ['NoOp', 'ConcurrentNoOp', 'WindowNoOp'] as const;

async function drain(kind: string): Promise<number> {
  const server = await startRedisServer();
  const redis = server.connect();
  const child = spawn(
    `${ROOT}bin/sidepunch-run.js`,
    ['--redis', server.url, '-c', '20', '--log-level', 'warn', `${ROOT}bench/limits-registry.mjs`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    while ((await redis.scard('processes')) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const client = new Client({ redis: server.url });
    const started = performance.now();
    for (let i = 0; i < N; i += 1000) {
      await client.pushBulk({
        class: kind,
        args: Array.from({ length: Math.min(1000, N - i) }, (_, j) => [i + j]),
      });
    }
    while (Number((await redis.get('stat:processed')) ?? 0) < N)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const seconds = (performance.now() - started) / 1000;
    await client.close();
    return N / seconds;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    redis.disconnect();
    await server.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = new Map<string, number>();
for (const kind of KINDS) {
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await drain(kind));
  results.set(kind, median(runs));
}
const base = results.get('NoOp')!;
console.log(`limits: ${N} no-op jobs, one sidepunch-run -c 20, median of ${REPEATS}`);
for (const kind of KINDS) {
  const rate = results.get(kind)!;
  console.log(
    `  ${kind.padEnd(16)} ${Math.round(rate).toString().padStart(8)} jobs/s   ×${(rate / base).toFixed(2)}`,
  );
}
