/**
 * `npm run bench`: Sidepunch against BullMQ on this machine, in the same run, on a private redis-server.
 * Same N, same concurrency, the same no-op job with one small argument, fresh Redis data for every measurement,
 * the two systems alternating which goes first; each figure is the median of several runs (one with --quick).
 * Both workers run in their own process. Prints a table with ratios; --json FILE and --chart FILE write them out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Client } from 'sidepunch';
import { type RedisServer, startRedisServer } from '../scripts/redis-server.js';
import { throughputChart } from './chart.js';
import { repoRoot } from './repo-root.js';

type System = 'sidepunch' | 'bullmq';
const SYSTEMS: readonly System[] = ['sidepunch', 'bullmq'];
/** The repository root: this file runs bundled from dist/scripts/, so look upwards for sidepunch's package.json. */
const ROOT = repoRoot();

const CHUNK = 1000;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'string' },
    chart: { type: 'string' },
  },
});
const quick = flags.quick === true;
const sizes = {
  bulk: quick ? 2_000 : 100_000,
  single: quick ? 200 : 5_000,
  drain: quick ? 2_000 : 100_000,
  latency: quick ? 100 : 2_000,
  backlog: quick ? 10_000 : 1_000_000,
  sweep: quick ? 1_000 : 50_000,
  repeats: quick ? 1 : 3,
};

let server: RedisServer;
let redis: Redis;

const hrNow = () => process.hrtime.bigint();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

async function fresh(): Promise<number> {
  await redis.flushall();
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function usedMemory(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

/** Enqueues `n` no-op jobs through each system's bulk API, 1,000 per call. */
async function enqueueBulk(
  system: System,
  n: number,
  make: (i: number) => unknown[] = (i) => [i],
): Promise<number> {
  const started = hrNow();
  if (system === 'sidepunch') {
    const client = new Client({ redis: server.url });
    for (let i = 0; i < n; i += CHUNK) {
      const args = Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => make(i + j));
      await client.pushBulk({ class: 'NoOp', args });
    }
    await client.close();
  } else {
    const queue = new Queue('bench', { connection: { host: '127.0.0.1', port: server.port } });
    for (let i = 0; i < n; i += CHUNK) {
      const jobs = Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => ({
        name: 'noop',
        data: { n: i + j },
        opts: { removeOnComplete: true, removeOnFail: true },
      }));
      await queue.addBulk(jobs);
    }
    await queue.close();
  }
  return Number(hrNow() - started) / 1e9;
}

interface WorkerProcess {
  readonly child: ChildProcess;
  next(match: (value: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  peakRssKb(): number;
  stop(): Promise<void>;
}

function startWorker(
  system: System,
  concurrency: number,
  mode: 'drain' | 'latency',
  count: number,
): WorkerProcess {
  const child =
    system === 'sidepunch'
      ? // Run as users run it (npx, package.json scripts): the executable itself, so the Node flags its first lines set apply.
        spawn(
          `${ROOT}bin/sidepunch-run.js`,
          [
            '--redis',
            server.url,
            '-c',
            String(concurrency),
            '--log-level',
            'warn',
            `${ROOT}bench/registry.mjs`,
          ],
          { env: { ...process.env, BENCH_LATENCY_N: String(count) }, stdio: ['ignore', 'pipe', 'inherit'] },
        )
      : spawn(
          process.execPath,
          [`${ROOT}bench/bullmq-worker.mjs`, String(server.port), String(concurrency), mode, String(count)],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
  const reports: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  child.once('exit', () => {
    for (const waiter of waiters.splice(0)) waiter();
  });
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('BENCH ')) reports.push(JSON.parse(line.slice(6)));
      for (const waiter of waiters.splice(0)) waiter();
      newline = buffer.indexOf('\n');
    }
  });
  return {
    child,
    async next(match) {
      for (;;) {
        const found = reports.find(match);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`${system} worker exited with ${child.exitCode}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    peakRssKb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitUntilReady(system: System, worker: WorkerProcess): Promise<void> {
  if (system === 'bullmq') {
    await worker.next((value) => value.ready === true);
    return;
  }
  while ((await redis.scard('processes')) === 0) await sleep(5);
}

/** Drains `n` pre-enqueued jobs; jobs/s from the first job started to the last one acknowledged. */
async function drain(
  system: System,
  n: number,
  concurrency: number,
): Promise<{ rate: number; peakRssKb: number }> {
  await fresh();
  await enqueueBulk(system, n);
  const worker = startWorker(system, concurrency, 'drain', n);
  try {
    let last: bigint;
    if (system === 'sidepunch') {
      // Acknowledgements and the processed counter are written in the same transaction.
      while (Number(await redis.get('stat:processed')) < n) await sleep(2);
      last = hrNow();
    } else {
      last = BigInt((await worker.next((value) => 'last' in value)).last as string);
    }
    const first = BigInt((await worker.next((value) => 'first' in value)).first as string);
    return { rate: n / (Number(last - first) / 1e9), peakRssKb: worker.peakRssKb() };
  } finally {
    await worker.stop();
  }
}

/** Enqueue-to-start latency on an idle worker: jobs sent one by one, each after the last has surely started. */
async function idleLatency(system: System, n: number): Promise<{ p50: number; p99: number }> {
  await fresh();
  const worker = startWorker(system, 10, 'latency', n);
  const client = system === 'sidepunch' ? new Client({ redis: server.url }) : undefined;
  const queue =
    system === 'bullmq'
      ? new Queue('bench', { connection: { host: '127.0.0.1', port: server.port } })
      : undefined;
  try {
    await waitUntilReady(system, worker);
    await sleep(200);
    for (let i = 0; i < n; i++) {
      const sentAt = String(hrNow());
      if (client) await client.push({ class: 'Latency', args: [sentAt] });
      else await queue!.add('latency', { sentAt }, { removeOnComplete: true });
      await sleep(3);
    }
    const { latenciesUs } = (await worker.next((value) => 'latenciesUs' in value)) as {
      latenciesUs: number[];
    };
    return { p50: percentile(latenciesUs, 50), p99: percentile(latenciesUs, 99) };
  } finally {
    await client?.close();
    await queue?.close();
    await worker.stop();
  }
}

/** One push at a time, each awaited. */
async function singleEnqueue(system: System, n: number): Promise<{ rate: number; p50: number; p99: number }> {
  await fresh();
  const latencies: number[] = [];
  const client = system === 'sidepunch' ? new Client({ redis: server.url }) : undefined;
  const queue =
    system === 'bullmq'
      ? new Queue('bench', { connection: { host: '127.0.0.1', port: server.port } })
      : undefined;
  if (client) await client.push({ class: 'NoOp', args: [0] });
  else await queue!.add('noop', { n: 0 }, { removeOnComplete: true });
  const started = hrNow();
  for (let i = 0; i < n; i++) {
    const t = hrNow();
    if (client) await client.push({ class: 'NoOp', args: [i] });
    else await queue!.add('noop', { n: i }, { removeOnComplete: true });
    latencies.push(Number(hrNow() - t) / 1000);
  }
  const seconds = Number(hrNow() - started) / 1e9;
  await client?.close();
  await queue?.close();
  return { rate: n / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function bulk(system: System, n: number): Promise<{ rate: number; bytesPerJob: number }> {
  const before = await fresh();
  const seconds = await enqueueBulk(system, n);
  const after = await usedMemory();
  return { rate: n / seconds, bytesPerJob: (after - before) / n };
}

/** Runs `measure` for both systems `repeats` times, alternating which goes first; medians per figure. */
async function compare<T extends Record<string, number>>(
  label: string,
  measure: (system: System) => Promise<T>,
): Promise<Record<System, T>> {
  const runs: Record<System, T[]> = { sidepunch: [], bullmq: [] };
  for (let repeat = 0; repeat < sizes.repeats; repeat++) {
    const order = repeat % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse();
    for (const system of order) runs[system].push(await measure(system));
  }
  const medians = {} as Record<System, T>;
  for (const system of SYSTEMS) {
    const keys = Object.keys(runs[system][0]!) as (keyof T)[];
    medians[system] = Object.fromEntries(
      keys.map((key) => [key, median(runs[system].map((run) => run[key] as number))]),
    ) as T;
  }
  process.stderr.write(`  measured: ${label}\n`);
  return medians;
}

interface Row {
  readonly label: string;
  readonly sidepunch: number;
  readonly bullmq?: number;
  /** Whether a bigger number is better (throughput) or worse (latency, memory). */
  readonly higherIsBetter: boolean;
  readonly unit: string;
}

function format(value: number, unit: string): string {
  if (unit === 'µs' || unit === 'ms')
    return value < 10 ? value.toFixed(2) : Math.round(value).toLocaleString('en-US');
  return Math.round(value).toLocaleString('en-US');
}

function printTable(rows: readonly Row[]): string {
  const lines = [
    `${'scenario'.padEnd(52)}${'sidepunch'.padStart(12)}${'bullmq'.padStart(12)}${'ratio'.padStart(9)}`,
  ];
  for (const row of rows) {
    let ratio = '';
    if (row.bullmq !== undefined) {
      const factor = row.higherIsBetter ? row.sidepunch / row.bullmq : row.bullmq / row.sidepunch;
      ratio = `${factor.toFixed(2)}×`;
    }
    lines.push(
      `${`${row.label} (${row.unit})`.padEnd(52)}${format(row.sidepunch, row.unit).padStart(12)}` +
        `${row.bullmq === undefined ? '—'.padStart(12) : format(row.bullmq, row.unit).padStart(12)}${ratio.padStart(9)}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  server = await startRedisServer();
  redis = server.connect();
  const n = (value: number) => value.toLocaleString('en-US');
  process.stderr.write(
    `benchmark${quick ? ' (--quick)' : ''}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ` +
      `redis-server on 127.0.0.1:${server.port}\n`,
  );
  try {
    const bulkResult = await compare('bulk enqueue', (system) => bulk(system, sizes.bulk));
    const single = await compare('single enqueue', (system) => singleEnqueue(system, sizes.single));
    const drain10 = await compare('drain -c 10', (system) => drain(system, sizes.drain, 10));
    const drain100 = await compare('drain -c 100', (system) => drain(system, sizes.drain, 100));
    const latency = await compare('idle latency', (system) => idleLatency(system, sizes.latency));
    const backlog = await drain('sidepunch', sizes.backlog, 100);
    process.stderr.write('  measured: backlog\n');
    const sweep: Record<number, Record<System, { rate: number }>> = {};
    if (flags.chart) {
      for (const concurrency of [1, 10, 50, 100, 200]) {
        sweep[concurrency] = await compare(`sweep -c ${concurrency}`, (system) =>
          drain(system, sizes.sweep, concurrency).then(({ rate }) => ({ rate })),
        );
      }
    }
    const pair = (
      label: string,
      unit: string,
      higherIsBetter: boolean,
      pick: (system: System) => number,
    ): Row => ({
      label,
      unit,
      higherIsBetter,
      sidepunch: pick('sidepunch'),
      bullmq: pick('bullmq'),
    });
    const rows: Row[] = [
      pair(`bulk enqueue ${n(sizes.bulk)}`, 'jobs/s', true, (s) => bulkResult[s].rate),
      pair('single enqueue, one at a time', 'jobs/s', true, (s) => single[s].rate),
      pair('single enqueue latency p50', 'µs', false, (s) => single[s].p50),
      pair('single enqueue latency p99', 'µs', false, (s) => single[s].p99),
      pair(`drain ${n(sizes.drain)} at concurrency 10`, 'jobs/s', true, (s) => drain10[s].rate),
      pair(`drain ${n(sizes.drain)} at concurrency 100`, 'jobs/s', true, (s) => drain100[s].rate),
      pair('idle enqueue-to-start latency p50', 'µs', false, (s) => latency[s].p50),
      pair('idle enqueue-to-start latency p99', 'µs', false, (s) => latency[s].p99),
      pair('Redis memory per queued job', 'bytes', false, (s) => bulkResult[s].bytesPerJob),
      pair('worker peak RSS draining at concurrency 100', 'KiB', false, (s) => drain100[s].peakRssKb),
      {
        label: `drain ${n(sizes.backlog)} backlog at concurrency 100`,
        unit: 'jobs/s',
        higherIsBetter: true,
        sidepunch: backlog.rate,
      },
    ];
    const table = printTable(rows);
    process.stdout.write(`${table}\n`);
    const backlogRatio = backlog.rate / drain100.sidepunch.rate;
    process.stdout.write(
      `backlog: draining ${n(sizes.backlog)} runs at ${(backlogRatio * 100).toFixed(0)}% of the ${n(sizes.drain)} rate\n`,
    );
    if (flags.json) {
      const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, quick };
      writeFileSync(flags.json, `${JSON.stringify({ machine, rows, sweep, backlogRatio }, null, 2)}\n`);
    }
    if (flags.chart) writeFileSync(flags.chart, throughputChart(sweep));
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

await main();
