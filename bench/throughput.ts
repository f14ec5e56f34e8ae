/**
 * `npm run bench`: Sidepunch against BullMQ and Ruby Sidekiq 7.3.9 on this machine, in the same run, on a private
 * redis-server (issue #25). Same N, same concurrency, the same no-op job with Sidekiq's load-test arguments, fresh
 * Redis data for every measurement, the systems taking turns at going first; each figure is the median of three
 * runs (one with --quick). Every scenario runs twice: with Redis on the same host, then through a proxy that delays
 * every chunk by 1 ms each way (bench/latency-proxy.ts), as a network does. Beside each figure, what the scenario
 * cost redis-server per job (bench/scenarios.ts, bench/redis-cost.ts). Then Sidepunch alone: the drain at the
 * default log level (paired with warn), a large backlog, and the cost of features against a plain job
 * (bench/feature-cost.ts); with --baseline DIR (another checkout, built: e.g. a `git worktree` of the commit before
 * #25), its drain paired with this build's; --drain N sets the same-host drains' N. The Sidekiq column is skipped,
 * saying why, where Ruby or the vendored copy is missing. --json FILE and --chart FILE write it out.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../scripts/redis-server.js';
import { throughputChart } from './chart.js';
import { featureCosts } from './feature-cost.js';
import { goalLines } from './goals.js';
import { spawnLatencyProxy } from './proxy-process.js';
import type { RedisCost } from './redis-cost.js';
import { type Bench, bulk, drain, idleLatency, single } from './scenarios.js';
import { findRubySidekiq, type RubySidekiq } from './sidekiq-ruby.js';
import { ROOT, type System, type Target } from './systems.js';
import { type Line, printTable, type Row } from './table.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    smoke: { type: 'boolean' },
    json: { type: 'string' },
    chart: { type: 'string' },
    baseline: { type: 'string' },
    drain: { type: 'string' },
  },
});
/** --smoke (the test suite's run): --quick, and through the proxy only the bulk enqueue and the drain at -c 30. */
const smoke = flags.smoke === true;
const quick = flags.quick === true || smoke;
/**
 * --drain N: the same-host drains' N (and the Sidepunch-alone drains paired with them). A fixed N gives the faster
 * system less time to amortize its warm-up (a fresh Node worker's JIT takes its first ~300 ms), so 500000, the N of
 * Sidekiq's published benchmark, reads closer to each system's sustained rate; the run then takes about twice as long
 * (26 minutes against 12–14 on a 2-core machine).
 */
const drainN = flags.drain === undefined ? undefined : Number(flags.drain);
if (drainN !== undefined && !(Number.isInteger(drainN) && drainN >= 1000)) {
  process.stderr.write(`--drain must be a whole number of jobs, at least 1000, not "${flags.drain}"\n`);
  process.exit(2);
}
const sizes = {
  bulk: quick ? 2_000 : 100_000,
  single: quick ? 200 : 5_000,
  proxiedSingle: quick ? 100 : 1_000,
  drain: drainN ?? (quick ? 2_000 : 100_000),
  proxiedDrain: quick ? 1_000 : 50_000,
  latency: quick ? 100 : 2_000,
  /** Jobs of SLOW_JOB_MS each: at -c 30 about a second of work for a system that keeps its slots busy. */
  slowDrain: quick ? 300 : 3_000,
  proxiedLatency: quick ? 50 : 500,
  backlog: quick ? 10_000 : 1_000_000,
  sweep: quick ? 1_000 : 50_000,
  features: quick ? 1_000 : 20_000,
  repeats: quick ? 1 : 3,
};

/** The slow jobs' time: a call to a slow API, as most production jobs are (the demo's counters take longer). */
const SLOW_JOB_MS = 10;

let server: RedisServer;
let redis: Redis;
let sidekiq: RubySidekiq | undefined;
let systems: readonly System[] = ['sidepunch', 'bullmq'];
const bench = (): Bench => ({ server, redis, sidekiq });

const began = performance.now();
const elapsed = () => `${((performance.now() - began) / 1000).toFixed(1)} s`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The runs a median came from (compare()), for row() to keep in the JSON: a median of three hides a slow run. */
const runsBehind = new WeakMap<object, readonly unknown[]>();

/**
 * Runs `measure` for every system (or other contender: a log level, a build) `repeats` times, rotating which goes
 * first; medians per figure.
 */
async function compare<T extends object, K extends string = System>(
  label: string,
  measure: (contender: K) => Promise<T>,
  among: readonly K[] = systems as readonly string[] as readonly K[],
): Promise<Partial<Record<K, T>>> {
  const runs: Partial<Record<K, T[]>> = {};
  for (let repeat = 0; repeat < sizes.repeats; repeat++) {
    const order = [...among.slice(repeat % among.length), ...among.slice(0, repeat % among.length)];
    for (const contender of order) {
      const measured = await measure(contender);
      runs[contender] = [...(runs[contender] ?? []), measured];
    }
  }
  const medians: Partial<Record<K, T>> = {};
  for (const contender of among) {
    const keys = Object.keys(runs[contender]![0]!) as (keyof T)[];
    const medianOf = Object.fromEntries(
      keys.map((key) => [key, median(runs[contender]!.map((run) => run[key] as unknown as number))]),
    ) as T;
    runsBehind.set(medianOf, runs[contender]!);
    medians[contender] = medianOf;
  }
  process.stderr.write(`  measured: ${label} (${elapsed()})\n`);
  return medians;
}

function row<T>(
  label: string,
  unit: string,
  higherIsBetter: boolean,
  result: Partial<Record<System, T>>,
  pick: (value: T) => number,
): Row {
  const values: Partial<Record<System, number>> = {};
  const runs: Partial<Record<System, number[]>> = {};
  for (const system of Object.keys(result) as System[]) {
    values[system] = pick(result[system]!);
    const behind = runsBehind.get(result[system] as object) as T[] | undefined;
    if (behind) runs[system] = behind.map(pick);
  }
  return { label, unit, higherIsBetter, values, ...(Object.keys(runs).length > 0 ? { runs } : {}) };
}

/** A scenario's rows: its own figures, then its Redis commands per job and CPU per 100,000 jobs. */
function withCost<T extends RedisCost>(
  name: string,
  result: Partial<Record<System, T>>,
  figures: Row[],
): Row[] {
  return [
    ...figures,
    row(`${name}: Redis commands per job`, 'commands/job', false, result, (v) => v.commandsPerJob),
    row(`${name}: redis-server CPU per 100,000 jobs`, 'CPU s/100k jobs', false, result, (v) => v.cpuPer100k),
  ];
}

/** Every comparison, on Redis directly or through the latency proxy. */
async function scenarios(
  target: Target,
  network: string,
  { drainN, singleN, latencyN }: { drainN: number; singleN: number; latencyN: number },
  all = true,
): Promise<Line[]> {
  const n = (value: number) => value.toLocaleString('en-US');
  const tag = (label: string) => `${label}, ${network}`;
  const bulkResult = await compare(tag('bulk enqueue'), (s) => bulk(bench(), s, target, sizes.bulk));
  const drain30 = await compare(tag('drain -c 30'), (s) => drain(bench(), s, target, drainN, 30));
  const lines: Line[] = [
    network,
    ...withCost(`bulk enqueue ${n(sizes.bulk)}`, bulkResult, [
      row(`bulk enqueue ${n(sizes.bulk)}`, 'jobs/s', true, bulkResult, (v) => v.rate),
    ]),
    ...withCost(`drain -c 30`, drain30, [
      row(`drain ${n(drainN)} at concurrency 30`, 'jobs/s', true, drain30, (v) => v.rate),
    ]),
  ];
  if (!all) return lines;
  const singleResult = await compare(tag('single enqueue'), (s) => single(bench(), s, target, singleN));
  const drain100 = await compare(tag('drain -c 100'), (s) => drain(bench(), s, target, drainN, 100));
  const latency = await compare(tag('idle latency'), (s) => idleLatency(bench(), s, target, latencyN));
  const slow = await compare(tag(`drain of ${SLOW_JOB_MS} ms jobs`), (s) =>
    drain(bench(), s, target, sizes.slowDrain, 30, { jobMs: SLOW_JOB_MS }),
  );
  return [
    ...lines,
    ...withCost('single enqueue', singleResult, [
      row('single enqueue, one at a time', 'jobs/s', true, singleResult, (v) => v.rate),
      row('single enqueue latency p50', 'µs', false, singleResult, (v) => v.p50),
      row('single enqueue latency p99', 'µs', false, singleResult, (v) => v.p99),
    ]),
    ...withCost(`drain -c 100`, drain100, [
      row(`drain ${n(drainN)} at concurrency 100`, 'jobs/s', true, drain100, (v) => v.rate),
      row('worker peak RSS draining at concurrency 100', 'KiB', false, drain100, (v) => v.peakRssKb),
    ]),
    ...withCost('idle latency', latency, [
      row('idle enqueue-to-start latency p50', 'µs', false, latency, (v) => v.p50),
      row('idle enqueue-to-start latency p99', 'µs', false, latency, (v) => v.p99),
    ]),
    ...withCost(`drain of ${SLOW_JOB_MS} ms jobs`, slow, [
      row(
        `drain ${n(sizes.slowDrain)} jobs of ${SLOW_JOB_MS} ms at concurrency 30`,
        'jobs/s',
        true,
        slow,
        (v) => v.rate,
      ),
    ]),
    row('Redis memory per queued job', 'bytes', false, bulkResult, (v) => v.bytesPerJob),
  ];
}

async function main(): Promise<void> {
  server = await startRedisServer();
  redis = server.connect();
  const n = (value: number) => value.toLocaleString('en-US');
  const ruby = findRubySidekiq(ROOT);
  if ('missing' in ruby) process.stderr.write(`sidekiq column skipped: ${ruby.missing}\n`);
  else {
    sidekiq = ruby;
    systems = ['sidepunch', 'bullmq', 'sidekiq'];
  }
  const rubyLine = sidekiq ? `Sidekiq 7.3.9 on ${sidekiq.description}` : 'no Sidekiq';
  process.stdout.write(
    `benchmark${smoke ? ' (--smoke)' : quick ? ' (--quick)' : ''}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ` +
      `${rubyLine}, redis-server on 127.0.0.1:${server.port}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  const proxy = await spawnLatencyProxy(server.port);
  try {
    const local = await scenarios({ url: server.url, port: server.port }, 'Redis on the same host', {
      drainN: sizes.drain,
      singleN: sizes.single,
      latencyN: sizes.latency,
    });
    const proxied = await scenarios(
      proxy.target,
      'through the proxy, 1 ms each way',
      { drainN: sizes.proxiedDrain, singleN: sizes.proxiedSingle, latencyN: sizes.proxiedLatency },
      !smoke,
    );
    const self = { url: server.url, port: server.port };
    // Sidepunch's own drains in pairs back to back: their ratio compares the same minutes of a machine whose speed
    // drifts between the bench's sections (runs a dozen minutes apart differed by 20 points).
    const rateOf = ({ rate }: { rate: number }) => ({ rate });
    const levels = await compare(
      'drain at the default log level, paired with warn',
      (logLevel: 'info' | 'warn') =>
        drain(bench(), 'sidepunch', self, sizes.drain, 100, { logLevel }).then(rateOf),
      ['info', 'warn'],
    );
    const baselineRoot = flags.baseline && `${path.resolve(flags.baseline)}/`;
    const baseline = baselineRoot
      ? await compare(
          `drain -c 30 paired with the baseline's (${flags.baseline})`,
          (build: 'this' | 'baseline') =>
            drain(bench(), 'sidepunch', self, sizes.drain, 30, {
              root: build === 'baseline' ? baselineRoot : undefined,
            }).then(rateOf),
          ['this', 'baseline'],
        )
      : undefined;
    const backlog = await drain(bench(), 'sidepunch', self, sizes.backlog, 100);
    process.stderr.write(`  measured: backlog (${elapsed()})\n`);
    const features = await featureCosts(ROOT, sizes.features, sizes.repeats, !smoke);
    process.stderr.write(`  measured: feature costs (${elapsed()})\n`);
    const sweep: Record<number, Partial<Record<System, { rate: number }>>> = {};
    if (flags.chart) {
      for (const concurrency of [1, 10, 50, 100, 200]) {
        sweep[concurrency] = await compare(`sweep -c ${concurrency}`, (s) =>
          drain(bench(), s, self, sizes.sweep, concurrency).then(rateOf),
        );
      }
    }
    const warnRow = local.find(
      (line): line is Row =>
        typeof line !== 'string' && line.label.startsWith(`drain ${n(sizes.drain)} at concurrency 100`),
    )!;
    const sidepunchOnly: Line[] = [
      'Sidepunch alone',
      row(
        `drain ${n(sizes.drain)} at concurrency 100, --log-level info (the default)`,
        'jobs/s',
        true,
        { sidepunch: levels.info!.rate },
        (rate) => rate,
      ),
      {
        label: `drain ${n(sizes.backlog)} backlog at concurrency 100`,
        unit: 'jobs/s',
        higherIsBetter: true,
        values: { sidepunch: backlog.rate },
      },
      ...features.rows,
    ];
    const lines = [...local, ...proxied, ...sidepunchOnly];
    process.stdout.write(`${printTable(lines)}\n`);
    const infoRatio = levels.info!.rate / levels.warn!.rate;
    const baselineRatio = baseline && baseline.this!.rate / baseline.baseline!.rate;
    const backlogRatio = backlog.rate / warnRow.values.sidepunch!;
    const pairs = (a: number, b: number) =>
      `medians of ${sizes.repeats} pairs run back to back: ${n(Math.round(a))} against ${n(Math.round(b))} jobs/s`;
    process.stdout.write(
      `default log level: the drain at info runs at ${(infoRatio * 100).toFixed(0)}% of the warn level's ` +
        `(${pairs(levels.info!.rate, levels.warn!.rate)})\n` +
        `backlog: draining ${n(sizes.backlog)} runs at ${(backlogRatio * 100).toFixed(0)}% of the ${n(sizes.drain)} rate\n`,
    );
    if (baseline && baselineRatio !== undefined)
      process.stdout.write(
        `baseline: this build drains at ${(baselineRatio * 100).toFixed(0)}% of ${flags.baseline}'s rate ` +
          `(-c 30, ${pairs(baseline.this!.rate, baseline.baseline!.rate)})\n`,
      );
    const goals = goalLines({
      local,
      proxied,
      infoRatio,
      baselineRatio,
      features: features.ratios,
      hasSidekiq: sidekiq !== undefined,
    });
    process.stdout.write(`${goals.join('\n')}\n`);
    if (flags.json) {
      const machine = {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        node: process.version,
        ruby: sidekiq?.description,
        loadAverage: os.loadavg(),
        quick,
      };
      writeFileSync(
        flags.json,
        `${JSON.stringify({ machine, lines, sweep, infoRatio, baselineRatio, backlogRatio, goals }, null, 2)}\n`,
      );
    }
    if (flags.chart)
      writeFileSync(flags.chart, throughputChart(sweep as Record<number, Record<string, { rate: number }>>));
  } finally {
    proxy.child.kill('SIGTERM');
    redis.disconnect();
    await server.stop();
  }
}

await main();
