/**
 * `npm run bench:cluster`: throughput with 8 busy queues, one Redis against a 3-primary Redis Cluster on the same
 * machine, printed side by side. The same sidepunch-run workers (every queue at equal weight, so fetches spread
 * over the queues and the cluster's nodes), the same no-op job; each figure is the median of several runs, the two
 * setups alternating which goes first. Rate: jobs pushed and acknowledged per second, from the first push to the
 * last acknowledgement, with the workers already idle and waiting; and the same for scheduled jobs that all fall
 * due at once (the poller's path: promote.lua on one Redis, the staged move in a cluster).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { Client } from 'sidepunch';
import { startRedisCluster } from '../scripts/redis-cluster.js';
import { startRedisServer } from '../scripts/redis-server.js';
import { repoRoot } from './repo-root.js';

const ROOT = repoRoot();
const QUEUES = Array.from({ length: 8 }, (_, i) => `q${i + 1}`);
const CHUNK = 1000;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    jobs: { type: 'string' },
    processes: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const quick = flags.quick === true;
const jobs = Number(flags.jobs ?? (quick ? 8_000 : 80_000));
const processes = Number(flags.processes ?? 2);
const concurrency = Number(flags.concurrency ?? 50);
const repeats = quick ? 1 : 3;
const scheduled = quick ? 4_000 : 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Target {
  readonly name: string;
  readonly url: string;
  /** Reads `processes` and `stat:processed`: a Redis or a Cluster. */
  readonly redis: Redis;
  flush(): Promise<void>;
}

function startWorkers(url: string, extra: readonly string[] = []): ChildProcess[] {
  const queueFlags = QUEUES.flatMap((queue) => ['-q', `${queue},1`]);
  return Array.from({ length: processes }, () =>
    spawn(
      process.execPath,
      [
        `${ROOT}bin/sidepunch-run.js`,
        '--redis',
        url,
        '-c',
        String(concurrency),
        ...queueFlags,
        ...extra,
        '--log-level',
        'warn',
        `${ROOT}bench/registry.mjs`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    ),
  );
}

async function stopWorkers(workers: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map((worker) => {
      if (worker.exitCode !== null) return undefined;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      return exited;
    }),
  );
}

/** One run: idle workers, then `jobs` pushed in bulk round-robin over the 8 queues; jobs/s until all acknowledged. */
async function measure(target: Target): Promise<number> {
  await target.flush();
  const workers = startWorkers(target.url);
  try {
    while ((await target.redis.scard('processes')) < processes) await sleep(10);
    const client = new Client({ redis: target.url });
    const started = performance.now();
    const perQueue = jobs / QUEUES.length;
    for (let offset = 0; offset < perQueue; offset += CHUNK) {
      await Promise.all(
        QUEUES.map((queue) =>
          client.pushBulk({
            class: 'NoOp',
            queue,
            args: Array.from({ length: Math.min(CHUNK, perQueue - offset) }, (_, i) => [offset + i]),
          }),
        ),
      );
    }
    await client.close();
    while (Number(await target.redis.get('stat:processed')) < jobs) await sleep(5);
    return jobs / ((performance.now() - started) / 1000);
  } finally {
    await stopWorkers(workers);
  }
}

/**
 * One run of the poller's path: `scheduled` jobs over the 8 queues, all due at one moment 2 s after the push, with
 * idle workers polling every 0.1 s; jobs/s from that moment until all acknowledged (one Redis: promote.lua; a
 * cluster: the staged, resumable move).
 */
async function measureScheduled(target: Target): Promise<number> {
  await target.flush();
  const workers = startWorkers(target.url, ['--poll-interval', '0.1']);
  try {
    while ((await target.redis.scard('processes')) < processes) await sleep(10);
    const client = new Client({ redis: target.url });
    const dueAt = Date.now() / 1000 + 2;
    const perQueue = scheduled / QUEUES.length;
    for (const queue of QUEUES) {
      for (let offset = 0; offset < perQueue; offset += CHUNK) {
        const count = Math.min(CHUNK, perQueue - offset);
        await client.pushBulk({
          class: 'NoOp',
          queue,
          at: dueAt,
          args: Array.from({ length: count }, (_, i) => [i]),
        });
      }
    }
    await client.close();
    while (Number(await target.redis.get('stat:processed')) < scheduled) await sleep(5);
    return scheduled / (Date.now() / 1000 - dueAt);
  } finally {
    await stopWorkers(workers);
  }
}

async function main(): Promise<void> {
  const [server, cluster] = await Promise.all([
    startRedisServer(),
    startRedisCluster({ primaries: 3, replicas: 0 }),
  ]);
  const single = server.connect();
  const clustered = cluster.connect() as unknown as Redis;
  const targets: Target[] = [
    { name: 'one Redis', url: server.url, redis: single, flush: async () => void (await single.flushall()) },
    {
      name: '3-primary cluster',
      url: cluster.url,
      redis: clustered,
      flush: async () => void (await Promise.all(cluster.nodes.map((node) => node.connect().flushall()))),
    },
  ];
  const rates = new Map<string, number[]>(targets.map((target) => [target.name, []]));
  const scheduledRates = new Map<string, number[]>(targets.map((target) => [target.name, []]));
  try {
    for (let run = 0; run < repeats; run++) {
      const order = run % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) rates.get(target.name)!.push(await measure(target));
      for (const target of order) scheduledRates.get(target.name)!.push(await measureScheduled(target));
    }
  } finally {
    await cluster.stop();
    await server.stop();
  }
  const row = (what: string, figures: Map<string, number[]>) => {
    const [one, three] = targets.map((target) => median(figures.get(target.name)!));
    const rate = (value: number) => Math.round(value).toLocaleString('en-US');
    return `| ${what} | ${rate(one!)} | ${rate(three!)} | ${(three! / one!).toFixed(2)}× |\n`;
  };
  process.stdout.write(
    `8 queues, ${processes} sidepunch-run processes at -c ${concurrency}, no-op jobs, median of ${repeats} ` +
      `(${os.cpus().length} CPUs, ${os.cpus()[0]?.model.trim()})\n\n` +
      '| jobs/s | one Redis | 3-primary cluster | cluster / one |\n|---|---:|---:|---:|\n' +
      row(`${jobs.toLocaleString('en-US')} pushed and performed`, rates) +
      row(`${scheduled.toLocaleString('en-US')} scheduled, due at once`, scheduledRates),
  );
}

await main();
