/**
 * `npm run bench:parallel`: what each kind of parallelism buys, on a private redis-server.
 *  - CPU-bound (a fixed ~5 ms computation), 2,000 jobs: --threads 1, --threads 2, --processes 2 (all -c 10);
 *  - I/O-bound (awaits 50 ms), 2,000 jobs: -c 1 against -c 50.
 * Each figure: wall time from the first job acknowledged to the last (stat:processed), the jobs pushed once every
 * thread or process is up, so start-up is left out; the CPU-bound figures are medians of three alternating runs.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { Client } from 'sidepunch';
import { type RedisServer, startRedisServer } from '../scripts/redis-server.js';
import { repoRoot } from './repo-root.js';

const ROOT = repoRoot();
const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' } } });
const JOBS = flags.quick ? 200 : 2_000;

let server: RedisServer;
let redis: Redis;

/**
 * Seconds to perform `JOBS` jobs of `className` with these sidepunch-run flags. The jobs are pushed once every
 * thread or process has registered, so no run is measured while its second worker is still starting.
 */
async function timeRun(className: string, flagsForRun: string[], workers = 1): Promise<number> {
  await redis.flushall();
  const child = spawn(
    process.execPath,
    [
      `${ROOT}bin/sidepunch-run.js`,
      '--redis',
      server.url,
      '--log-level',
      'warn',
      ...flagsForRun,
      `${ROOT}bench/registry.mjs`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const poll = () => new Promise((resolve) => setTimeout(resolve, 5));
  while ((await redis.scard('processes')) < workers) await poll();
  const client = new Client({ redis: server.url });
  await client.pushBulk({ class: className, args: Array.from({ length: JOBS }, (_, i) => [i]) });
  await client.close();
  while (Number(await redis.get('stat:processed')) < 1) await poll();
  const started = performance.now();
  while (Number(await redis.get('stat:processed')) < JOBS) await poll();
  const seconds = (performance.now() - started) / 1000;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return seconds;
}

server = await startRedisServer();
redis = server.connect();
try {
  const rows: [string, number, number][] = [];
  // The CPU-bound runs alternate and repeat (the machine is shared and noisy): medians of three.
  const runs: Record<'one' | 'threads' | 'processes', number[]> = { one: [], threads: [], processes: [] };
  for (let repeat = 0; repeat < (flags.quick ? 1 : 3); repeat++) {
    runs.one.push(await timeRun('Cpu', ['-c', '10', '--threads', '1']));
    runs.threads.push(await timeRun('Cpu', ['-c', '10', '--threads', '2'], 2));
    runs.processes.push(await timeRun('Cpu', ['-c', '10', '--processes', '2'], 2));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const cpu1 = median(runs.one);
  const cpuThreads = median(runs.threads);
  const cpuProcesses = median(runs.processes);
  rows.push([`CPU-bound ${JOBS}, --threads 1`, cpu1, 1]);
  rows.push([`CPU-bound ${JOBS}, --threads 2`, cpuThreads, cpu1 / cpuThreads]);
  rows.push([`CPU-bound ${JOBS}, --processes 2`, cpuProcesses, cpu1 / cpuProcesses]);
  const io1 = await timeRun('Sleep', ['-c', '1']);
  const io50 = await timeRun('Sleep', ['-c', '50']);
  rows.push([`I/O-bound ${JOBS}, -c 1`, io1, 1]);
  rows.push([`I/O-bound ${JOBS}, -c 50`, io50, io1 / io50]);
  process.stdout.write(`${'run'.padEnd(36)}${'seconds'.padStart(10)}${'speed-up'.padStart(10)}\n`);
  for (const [label, seconds, speedUp] of rows) {
    process.stdout.write(
      `${label.padEnd(36)}${seconds.toFixed(2).padStart(10)}${`${speedUp.toFixed(2)}×`.padStart(10)}\n`,
    );
  }
} finally {
  redis.disconnect();
  await server.stop();
}
