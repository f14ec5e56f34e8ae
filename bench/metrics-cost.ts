/**
 * `npm run bench:metrics`: what writing execution metrics costs the drain. The same build drains the same 100,000
 * no-op jobs with `--execution-metrics sidekiq7` (the default), `sidekiq8` and `off` (no metrics, as before they
 * existed), alternating the order, at concurrency 10 and 100 on a private redis-server; prints each figure's median
 * of --repeats runs (default 5) and its ratio to `off`, and the Redis commands per job of the drain (INFO
 * commandstats), which the machine's noise does not blur.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client } from 'sidepunch';
import { destroyRedisServer, startRedisServer } from '../scripts/redis-server.js';
import { repoRoot } from './repo-root.js';

const ROOT = repoRoot();
const { values: flags } = parseArgs({
  options: { repeats: { type: 'string' }, jobs: { type: 'string' } },
});
const repeats = Number(flags.repeats ?? 5);
const jobs = Number(flags.jobs ?? 100_000);
const SETTINGS = ['off', 'sidekiq7', 'sidekiq8'] as const;

const server = await startRedisServer({});
const redis = server.connect();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Redis commands served since the last CONFIG RESETSTAT, but this script's own polling (GET, INFO, CONFIG). */
async function commandsServed(): Promise<number> {
  const stats = await redis.info('commandstats');
  return [...stats.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)]
    .filter(([, name]) => !['get', 'info', 'config|resetstat', 'config'].includes(name!))
    .reduce((total, match) => total + Number(match[2]), 0);
}

const commands: Record<string, number[]> = {};

/** jobs/s from the first job started to the last one acknowledged. */
async function drain(setting: string, concurrency: number): Promise<number> {
  await redis.flushall();
  const client = new Client({ redis: server.url });
  for (let i = 0; i < jobs; i += 1000)
    await client.pushBulk({
      class: 'NoOp',
      args: Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => [i + j]),
    });
  await client.close();
  const child = spawn(
    `${ROOT}bin/sidepunch-run.js`,
    ['--redis', server.url, '-c', String(concurrency), '--log-level', 'warn', `${ROOT}bench/registry.mjs`],
    { env: { ...process.env, SIDEPUNCH_EXECUTION_METRICS: setting }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await redis.config('RESETSTAT');
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    while (Number(await redis.get('stat:processed')) < jobs) await sleep(2);
    const last = process.hrtime.bigint();
    const served = (await commandsServed()) / jobs;
    const key = `${concurrency} ${setting}`;
    commands[key] = [...(commands[key] ?? []), served];
    const first = BigInt(JSON.parse(/BENCH (\{"first".*\})/.exec(output)![1]!).first as string);
    return jobs / (Number(last - first) / 1e9);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

console.log(`drain ${jobs.toLocaleString('en-US')} jobs, ${repeats} runs each, medians (jobs/s)`);
for (const concurrency of [10, 100]) {
  const rates: Record<string, number[]> = Object.fromEntries(SETTINGS.map((setting) => [setting, []]));
  for (let run = 0; run < repeats; run++) {
    const order = run % 2 === 0 ? SETTINGS : [...SETTINGS].reverse();
    for (const setting of order) rates[setting]!.push(await drain(setting, concurrency));
  }
  const off = median(rates.off!);
  for (const setting of SETTINGS) {
    const rate = median(rates[setting]!);
    console.log(
      `  -c ${String(concurrency).padEnd(4)} ${setting.padEnd(9)} ${Math.round(rate).toLocaleString('en-US').padStart(8)}  ${(rate / off).toFixed(3)}×  ${median(commands[`${concurrency} ${setting}`]!).toFixed(3)} commands/job  (runs: ${rates[setting]!.map((r) => Math.round(r)).join(', ')})`,
    );
  }
}
await redis.quit();
await destroyRedisServer(server);
process.exit(0);
