/**
 * `npm run bench:log`: what the default log level (info: a start and a done line per job) costs a drain against
 * `--log-level warn`, as users run it (issue #25). The same build drains the same no-op jobs at both levels,
 * alternating which goes first, on a private redis-server; stdout goes where --stdout says: a file (the default, as
 * a service manager or `> log` does), /dev/null, or a pipe this process reads (a log collector on the same host,
 * whose reading costs CPU on a small machine too). Prints each level's median jobs/s and worker CPU µs per job
 * (`/proc/<pid>/stat`, which load blurs less than wall time), and info's ratio to warn from the same runs.
 * --baseline DIR measures another checkout (built, e.g. a `git worktree` of main) in the same runs, turn about,
 * for a before/after that the machine's load cannot skew.
 * Usage: npm run bench:log [-- --jobs 200000 --repeats 5 --concurrency 100 --stdout file|null|pipe --baseline DIR]
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../scripts/redis-server.js';
import { waitForProcessed } from './redis-cost.js';
import { repoRoot } from './repo-root.js';
import { pushNoOps } from './systems.js';

type Level = 'warn' | 'info';
type Stdout = 'file' | 'null' | 'pipe';

const { values: flags } = parseArgs({
  options: {
    jobs: { type: 'string' },
    repeats: { type: 'string' },
    concurrency: { type: 'string' },
    stdout: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const jobs = Number(flags.jobs ?? 200_000);
const repeats = Number(flags.repeats ?? 5);
const concurrency = Number(flags.concurrency ?? 100);
const stdout = (flags.stdout ?? 'file') as Stdout;
if (!['file', 'null', 'pipe'].includes(stdout)) throw new Error(`--stdout file|null|pipe, not ${stdout}`);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * jobs/s from the first fetch (the queue shrinks) to the last acknowledgement (`stat:processed` reaches N), and the
 * worker's CPU per job over the whole run (start-up included, the same for both levels).
 */
async function drain(root: string, server: RedisServer, redis: Redis, level: Level, dir: string) {
  await redis.flushall();
  await pushNoOps(server.url, jobs, (i) => [i]);
  const logFile = path.join(dir, `${level}.log`);
  const out = stdout === 'file' ? openSync(logFile, 'w') : stdout === 'null' ? 'ignore' : 'pipe';
  const child = spawn(
    `${root}bin/sidepunch-run.js`,
    ['--redis', server.url, '-c', String(concurrency), '--log-level', level, `${root}bench/registry.mjs`],
    { stdio: ['ignore', out, 'inherit'] },
  );
  if (typeof out === 'number') closeSync(out);
  let bytes = 0;
  child.stdout?.on('data', (chunk: Buffer) => (bytes += chunk.length));
  try {
    while ((await redis.llen('queue:default')) === jobs) await sleep(1);
    const first = process.hrtime.bigint();
    await waitForProcessed(redis, jobs, 2);
    const last = process.hrtime.bigint();
    const cpu = cpuSeconds(child.pid!);
    return { rate: jobs / (Number(last - first) / 1e9), cpuUsPerJob: (cpu / jobs) * 1e6 };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(logFile, { force: true });
  }
}

interface Checkout {
  readonly name: string;
  readonly root: string;
  readonly runs: Record<Level, { rate: number; cpuUsPerJob: number }[]>;
  readonly ratios: number[];
}

const checkouts: Checkout[] = [
  { name: 'this checkout', root: repoRoot(), runs: { warn: [], info: [] }, ratios: [] },
];
if (flags.baseline)
  checkouts.unshift({
    name: `baseline ${flags.baseline}`,
    root: `${path.resolve(flags.baseline)}/`,
    runs: { warn: [], info: [] },
    ratios: [],
  });
const server = await startRedisServer({});
const redis = server.connect();
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidepunch-log-cost-'));
const rate = (value: number) => Math.round(value).toLocaleString('en-US');
console.log(
  `drain ${jobs.toLocaleString('en-US')} no-op jobs at -c ${concurrency}, stdout to ${stdout === 'null' ? '/dev/null' : stdout === 'file' ? 'a file' : 'a pipe read here'}, ${repeats} runs per level, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
try {
  for (let run = 0; run < repeats; run++) {
    const turns = run % 2 === 0 ? checkouts : [...checkouts].reverse();
    for (const checkout of turns) {
      const order: Level[] = run % 2 === 0 ? ['warn', 'info'] : ['info', 'warn'];
      const pair: Partial<Record<Level, number>> = {};
      for (const level of order) {
        const result = await drain(checkout.root, server, redis, level, dir);
        checkout.runs[level].push(result);
        pair[level] = result.rate;
      }
      checkout.ratios.push(pair.info! / pair.warn!);
      console.log(
        `  run ${run + 1}, ${checkout.name}: warn ${rate(pair.warn!)}, info ${rate(pair.info!)} jobs/s (${((pair.info! / pair.warn!) * 100).toFixed(0)}%)`,
      );
    }
  }
  for (const { name, runs, ratios } of checkouts) {
    console.log(`${name}:`);
    for (const level of ['warn', 'info'] as const) {
      const cpu = median(runs[level].map((r) => r.cpuUsPerJob));
      console.log(
        `  ${level.padEnd(5)} ${rate(median(runs[level].map((r) => r.rate))).padStart(8)} jobs/s  ${cpu.toFixed(1)} CPU µs/job (medians)`,
      );
    }
    const cpuAdded =
      median(runs.info.map((r) => r.cpuUsPerJob)) - median(runs.warn.map((r) => r.cpuUsPerJob));
    console.log(
      `  info / warn: ${(median(ratios) * 100).toFixed(1)}% (median of the runs' ratios; goal ≥ 85%); info adds ${cpuAdded.toFixed(1)} CPU µs a job`,
    );
  }
} finally {
  await redis.quit();
  await destroyRedisServer(server);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
