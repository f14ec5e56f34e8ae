/**
 * The benchmark's measurements, one system at a time on a fresh Redis (bench/throughput.ts runs them in turns):
 * bulk and single enqueue, a drain, and the idle enqueue-to-start latency, each with what it cost redis-server
 * (bench/redis-cost.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { RedisServer } from '../scripts/redis-server.js';
import { type RedisCost, redisCost, redisSnapshot, waitForProcessed } from './redis-cost.js';
import type { RubySidekiq } from './sidekiq-ruby.js';
import {
  enqueueBulk,
  enqueuer,
  pushNoOps,
  type System,
  singleEnqueue,
  startWorker,
  type Target,
} from './systems.js';

/** The private server, a connection to it, and Ruby Sidekiq when it runs here. */
export interface Bench {
  readonly server: RedisServer;
  readonly redis: Redis;
  readonly sidekiq?: RubySidekiq;
}

const hrNow = () => process.hrtime.bigint();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

async function fresh({ redis }: Bench): Promise<number> {
  await redis.flushall();
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

/** Fills the queue for a drain. Sidekiq reads Sidepunch's jobs as its own (same format): the faster client fills. */
async function fill({ server }: Bench, system: System, target: Target, n: number): Promise<void> {
  if (system === 'bullmq') await enqueueBulk('bullmq', target, n);
  else await pushNoOps(server.url, n);
}

export type Measured<T> = T & RedisCost;

export interface DrainOptions {
  readonly logLevel?: 'warn' | 'info';
  /** Sidepunch's checkout whose sidepunch-run drains (another build's, for --baseline); this one's by default. */
  readonly root?: string;
  /** How long each job takes (a timer: a call to a slow API), 0 for the no-op. */
  readonly jobMs?: number;
}

/**
 * Drains `n` pre-enqueued jobs; jobs/s from the first job started to the last one done. At info, Sidepunch's stdout
 * (two lines a job) goes to a file, as users run it, not through a pipe the bench would read (systems.ts).
 */
export async function drain(
  bench: Bench,
  system: System,
  target: Target,
  n: number,
  concurrency: number,
  { logLevel = 'warn', root, jobMs = 0 }: DrainOptions = {},
): Promise<Measured<{ rate: number; peakRssKb: number }>> {
  await fresh(bench);
  await fill(bench, system, target, n);
  const before = await redisSnapshot(bench.redis);
  let polls = 0;
  const logDir = logLevel === 'info' ? mkdtempSync(path.join(os.tmpdir(), 'sidepunch-bench-')) : undefined;
  const worker = startWorker(system, target, {
    concurrency,
    mode: 'drain',
    count: n,
    logLevel,
    root,
    jobMs,
    stdoutFile: logDir && path.join(logDir, 'stdout.log'),
    sidekiq: bench.sidekiq,
  });
  try {
    let last: bigint;
    if (system === 'sidepunch') {
      // Acknowledgements and the processed counter are written in the same transaction.
      polls = await waitForProcessed(bench.redis, n, 2);
      last = hrNow();
    } else {
      last = BigInt((await worker.next((value) => 'last' in value)).last as string);
    }
    const first = BigInt((await worker.next((value) => 'first' in value)).first as string);
    const cost = redisCost(before, await redisSnapshot(bench.redis), n, polls);
    return { rate: n / (Number(last - first) / 1e9), peakRssKb: worker.peakRssKb(), ...cost };
  } finally {
    await worker.stop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  }
}

/** Enqueue-to-start latency on an idle worker: jobs sent one by one, each after the last has surely started. */
export async function idleLatency(
  bench: Bench,
  system: System,
  target: Target,
  n: number,
): Promise<Measured<{ p50: number; p99: number }>> {
  await fresh(bench);
  const worker = startWorker(system, target, {
    concurrency: 10,
    mode: 'latency',
    count: n,
    sidekiq: bench.sidekiq,
  });
  // Sidekiq's jobs are pushed by Sidepunch's client in Sidekiq's format: the figure is the worker's pick-up.
  const client = enqueuer(system === 'bullmq' ? 'bullmq' : 'sidepunch', target, 'Latency');
  try {
    if (system === 'sidepunch') while ((await bench.redis.scard('processes')) === 0) await sleep(5);
    else await worker.next((value) => value.ready === true);
    await sleep(200);
    const before = await redisSnapshot(bench.redis);
    for (let i = 0; i < n; i++) {
      await client.push(i, [String(hrNow())]);
      await sleep(3);
    }
    const { latenciesUs } = (await worker.next((value) => 'latenciesUs' in value)) as {
      latenciesUs: number[];
    };
    const cost = redisCost(before, await redisSnapshot(bench.redis), n);
    return { p50: percentile(latenciesUs, 50), p99: percentile(latenciesUs, 99), ...cost };
  } finally {
    await client.close();
    await worker.stop();
  }
}

export async function single(bench: Bench, system: System, target: Target, n: number) {
  await fresh(bench);
  const before = await redisSnapshot(bench.redis);
  const result = await singleEnqueue(system, target, n, bench.sidekiq);
  return { ...result, ...redisCost(before, await redisSnapshot(bench.redis), n) };
}

export async function bulk(bench: Bench, system: System, target: Target, n: number) {
  const memory = await fresh(bench);
  const before = await redisSnapshot(bench.redis);
  const seconds = await enqueueBulk(system, target, n, bench.sidekiq);
  const after = await redisSnapshot(bench.redis);
  const used = Number(/used_memory:(\d+)/.exec(await bench.redis.info('memory'))![1]);
  return { rate: n / seconds, bytesPerJob: (used - memory) / n, ...redisCost(before, after, n) };
}
