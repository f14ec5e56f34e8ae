/**
 * `npm run bench:metrics`: what writing execution metrics costs the drain. The same build drains the same 100,000
 * no-op jobs with `--execution-metrics sidekiq7` (the default), `sidekiq8` and `off` (no metrics, as before they
 * existed), alternating the order, at concurrency 10 and 100 on a private redis-server; prints each figure's median
 * of --repeats runs (default 5) and its ratio to `off`, and the Redis commands per job of the drain (INFO
 * commandstats), which the machine's noise does not blur. `metricsCosts` is the same measurement for `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../scripts/redis-server.js';
import { redisCost, redisSnapshot, waitForProcessed } from './redis-cost.js';
import { repoRoot } from './repo-root.js';
import { pushNoOps } from './systems.js';

export const METRICS_SETTINGS = ['off', 'sidekiq7', 'sidekiq8'] as const;
export type MetricsSetting = (typeof METRICS_SETTINGS)[number];
export interface DrainCost {
  readonly rate: number;
  readonly commandsPerJob: number;
  /** Every run's jobs/s. */
  readonly runs: readonly number[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** jobs/s from the first job started to the last one acknowledged, and the drain's commands per job. */
async function drain(
  root: string,
  server: RedisServer,
  redis: Redis,
  jobs: number,
  setting: string,
  concurrency: number,
): Promise<{ rate: number; commandsPerJob: number }> {
  await redis.flushall();
  await pushNoOps(server.url, jobs, (i) => [i]);
  const before = await redisSnapshot(redis);
  const child = spawn(
    `${root}bin/sidepunch-run.js`,
    ['--redis', server.url, '-c', String(concurrency), '--log-level', 'warn', `${root}bench/registry.mjs`],
    { env: { ...process.env, SIDEPUNCH_EXECUTION_METRICS: setting }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const polls = await waitForProcessed(redis, jobs, 2);
    const last = process.hrtime.bigint();
    const { commandsPerJob } = redisCost(before, await redisSnapshot(redis), jobs, polls);
    const first = BigInt(JSON.parse(/BENCH (\{"first".*\})/.exec(output)![1]!).first as string);
    return { rate: jobs / (Number(last - first) / 1e9), commandsPerJob };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Each setting's median drain at each concurrency, the settings alternating order, on a server of its own. */
export async function metricsCosts(
  root: string,
  jobs: number,
  repeats: number,
  concurrencies: readonly number[],
  settings: readonly MetricsSetting[] = METRICS_SETTINGS,
): Promise<Map<number, Partial<Record<MetricsSetting, DrainCost>>>> {
  const server = await startRedisServer({});
  const redis = server.connect();
  const results = new Map<number, Partial<Record<MetricsSetting, DrainCost>>>();
  try {
    for (const concurrency of concurrencies) {
      const runs = Object.fromEntries(
        METRICS_SETTINGS.map((s) => [s, [] as { rate: number; commandsPerJob: number }[]]),
      );
      for (let run = 0; run < repeats; run++) {
        const order = run % 2 === 0 ? settings : [...settings].reverse();
        for (const setting of order)
          runs[setting]!.push(await drain(root, server, redis, jobs, setting, concurrency));
      }
      results.set(
        concurrency,
        Object.fromEntries(
          settings.map((s) => [
            s,
            {
              rate: median(runs[s]!.map((r) => r.rate)),
              commandsPerJob: median(runs[s]!.map((r) => r.commandsPerJob)),
              runs: runs[s]!.map((r) => r.rate),
            },
          ]),
        ) as Partial<Record<MetricsSetting, DrainCost>>,
      );
    }
  } finally {
    await redis.quit();
    await destroyRedisServer(server);
  }
  return results;
}

if (process.argv[1]?.endsWith('metrics-cost.mjs')) {
  const { values: flags } = parseArgs({ options: { repeats: { type: 'string' }, jobs: { type: 'string' } } });
  const repeats = Number(flags.repeats ?? 5);
  const jobs = Number(flags.jobs ?? 100_000);
  console.log(`drain ${jobs.toLocaleString('en-US')} jobs, ${repeats} runs each, medians (jobs/s)`);
  for (const [concurrency, costs] of await metricsCosts(repoRoot(), jobs, repeats, [10, 100])) {
    for (const setting of METRICS_SETTINGS) {
      const { rate, commandsPerJob, runs } = costs[setting]!;
      console.log(
        `  -c ${String(concurrency).padEnd(4)} ${setting.padEnd(9)} ${Math.round(rate).toLocaleString('en-US').padStart(8)}  ${(rate / costs.off!.rate).toFixed(3)}×  ${commandsPerJob.toFixed(3)} commands/job  (runs: ${runs.map((r) => Math.round(r)).join(', ')})`,
      );
    }
  }
  process.exit(0);
}
