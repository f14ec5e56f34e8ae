/**
 * The three systems the benchmark compares, each driven the way its users drive it: Sidepunch (`sidepunch-run`
 * and its Client), BullMQ (bench/bullmq-worker.mjs and its Queue), Ruby Sidekiq 7.3.9 (its `sidekiq` command and
 * its Client, bench/sidekiq-ruby.ts). Every job carries Sidekiq's load-test arguments, `["string", idx,
 * {"mike" => "bob"}]`. Workers run in their own process and report on stdout in "BENCH " lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Client } from 'sidepunch';
import { repoRoot } from './repo-root.js';
import { type RubySidekiq, rubyEnqueue } from './sidekiq-ruby.js';

export type System = 'sidepunch' | 'bullmq' | 'sidekiq';
export const ROOT = repoRoot();
const CHUNK = 1000;

/** Sidekiq's load-test job arguments (bin/sidekiqload), for every system. */
export const jobArgs = (idx: number): unknown[] => ['string', idx, { mike: 'bob' }];

/** Where a system's processes reach Redis (the server, or the latency proxy in front of it). */
export interface Target {
  readonly url: string;
  readonly port: number;
}

const hrNow = () => process.hrtime.bigint();
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

/** Pushes `n` NoOp jobs with Sidepunch's client, 1,000 a call; `args` gives each job its arguments. */
export async function pushNoOps(
  url: string,
  n: number,
  args: (idx: number) => unknown[] = jobArgs,
): Promise<void> {
  const client = new Client({ redis: url });
  for (let i = 0; i < n; i += CHUNK)
    await client.pushBulk({
      class: 'NoOp',
      args: Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => args(i + j)),
    });
  await client.close();
}

/** One job enqueued at a time, each awaited: a client bound to one system. */
export interface Enqueuer {
  push(idx: number, args?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export function enqueuer(system: Exclude<System, 'sidekiq'>, target: Target, className = 'NoOp'): Enqueuer {
  if (system === 'sidepunch') {
    const client = new Client({ redis: target.url });
    return {
      push: async (idx, args = jobArgs(idx)) => void (await client.push({ class: className, args })),
      close: () => client.close(),
    };
  }
  const queue = new Queue('bench', { connection: { host: '127.0.0.1', port: target.port } });
  return {
    push: async (idx, args = jobArgs(idx)) =>
      void (await queue.add(className, args, { removeOnComplete: true, removeOnFail: true })),
    close: () => queue.close(),
  };
}

/** Enqueues `n` jobs through the system's bulk API, 1,000 per call; seconds taken. */
export async function enqueueBulk(
  system: System,
  target: Target,
  n: number,
  sidekiq?: RubySidekiq,
): Promise<number> {
  if (system === 'sidekiq') {
    return (await rubyEnqueue<{ seconds: number }>(ROOT, sidekiq!, target.url, 'bulk', n)).seconds;
  }
  const started = hrNow();
  if (system === 'sidepunch') {
    const client = new Client({ redis: target.url });
    for (let i = 0; i < n; i += CHUNK) {
      const args = Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => jobArgs(i + j));
      await client.pushBulk({ class: 'NoOp', args });
    }
    await client.close();
  } else {
    const queue = new Queue('bench', { connection: { host: '127.0.0.1', port: target.port } });
    for (let i = 0; i < n; i += CHUNK) {
      const jobs = Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => ({
        name: 'noop',
        data: jobArgs(i + j),
        opts: { removeOnComplete: true, removeOnFail: true },
      }));
      await queue.addBulk(jobs);
    }
    await queue.close();
  }
  return Number(hrNow() - started) / 1e9;
}

/** One push at a time, each awaited: jobs/s and each push's latency. */
export async function singleEnqueue(
  system: System,
  target: Target,
  n: number,
  sidekiq?: RubySidekiq,
): Promise<{ rate: number; p50: number; p99: number }> {
  let seconds: number;
  let latencies: number[];
  if (system === 'sidekiq') {
    ({ seconds, latenciesUs: latencies } = await rubyEnqueue<{ seconds: number; latenciesUs: number[] }>(
      ROOT,
      sidekiq!,
      target.url,
      'single',
      n,
    ));
  } else {
    const client = enqueuer(system, target);
    await client.push(0);
    latencies = [];
    const started = hrNow();
    for (let i = 0; i < n; i++) {
      const t = hrNow();
      await client.push(i);
      latencies.push(Number(hrNow() - t) / 1000);
    }
    seconds = Number(hrNow() - started) / 1e9;
    await client.close();
  }
  return { rate: n / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  next(match: (value: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  peakRssKb(): number;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  readonly concurrency: number;
  readonly mode: 'drain' | 'latency';
  /** The drain's N, or how many latency probes to expect. */
  readonly count: number;
  /** Sidepunch's --log-level: warn in the comparisons, info for the default-level row. */
  readonly logLevel?: 'warn' | 'info';
  /** The checkout (ending in /) whose `bin/sidepunch-run.js` runs: this one's unless a baseline's is given. */
  readonly root?: string;
  /** How long each drained job takes (a timer), 0 for the no-op: BENCH_JOB_MS for all three systems' workers. */
  readonly jobMs?: number;
  /**
   * Sidepunch's stdout to this file instead of a pipe the bench reads, as a service manager or `> file` has it: on
   * a 2-core machine, reading two lines a job through a pipe costs the bench CPU the worker would have, and a
   * full pipe stalls the worker's writes. Its "BENCH " reports are read from the file's start.
   */
  readonly stdoutFile?: string;
  readonly sidekiq?: RubySidekiq;
}

export function startWorker(system: System, target: Target, options: WorkerOptions): WorkerProcess {
  const { concurrency, mode, count } = options;
  const jobMs = { BENCH_JOB_MS: String(options.jobMs ?? 0) };
  let child: ChildProcess;
  if (system === 'sidepunch') {
    const stdout = options.stdoutFile === undefined ? 'pipe' : openSync(options.stdoutFile, 'w');
    // Run as users run it (npx, package.json scripts): the executable itself, so the Node flags its first lines set apply.
    child = spawn(
      `${options.root ?? ROOT}bin/sidepunch-run.js`,
      [
        '--redis',
        target.url,
        '-c',
        String(concurrency),
        '--log-level',
        options.logLevel ?? 'warn',
        `${ROOT}bench/registry.mjs`,
      ],
      {
        env: { ...process.env, ...jobMs, BENCH_LATENCY_N: String(count) },
        stdio: ['ignore', stdout, 'inherit'],
      },
    );
    if (typeof stdout === 'number') {
      closeSync(stdout);
      return watch(system, child, options.stdoutFile);
    }
  } else if (system === 'bullmq') {
    child = spawn(
      process.execPath,
      [`${ROOT}bench/bullmq-worker.mjs`, String(target.port), String(concurrency), mode, String(count)],
      { env: { ...process.env, ...jobMs }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
  } else {
    const [command, ...args] = options.sidekiq!.command;
    child = spawn(
      command!,
      [
        ...args,
        '-r',
        `${ROOT}bench/sidekiq-workers.rb`,
        '-c',
        String(concurrency),
        '-q',
        'default',
        '-t',
        '1',
      ],
      {
        env: {
          ...process.env,
          ...options.sidekiq!.env,
          ...jobMs,
          REDIS_URL: target.url,
          BENCH_COUNT: String(count),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
  }
  return watch(system, child);
}

/** Bytes of a stdout file searched for reports: the drain's one report comes after the first jobs' start lines. */
const FILE_HEAD_BYTES = 1 << 20;

function watch(system: System, child: ChildProcess, stdoutFile?: string): WorkerProcess {
  const reports: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  child.once('exit', () => {
    for (const waiter of waiters.splice(0)) waiter();
  });
  // At the default log level the worker writes two lines a job: look for "BENCH " only, not at every line.
  let rest = '';
  const received = (chunk: Buffer) => {
    const text = rest + chunk.toString('latin1');
    let at = text.indexOf('BENCH ');
    let consumed = 0;
    while (at >= 0) {
      const end = text.indexOf('\n', at);
      if (end < 0) break;
      reports.push(JSON.parse(text.slice(at + 6, end)));
      consumed = end + 1;
      at = text.indexOf('BENCH ', consumed);
    }
    // Keep a possible partial report (or the start of "BENCH ") for the next chunk.
    const tail = text.slice(consumed);
    const open = tail.indexOf('BENCH ');
    rest = open >= 0 ? tail.slice(open) : tail.slice(-5);
    if (reports.length > 0) for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout?.on('data', received);
  /** Stdout in a file: its head read again, looked at afresh (a report may have been half written). */
  const readHead = () => {
    const head = Buffer.alloc(FILE_HEAD_BYTES);
    const fd = openSync(stdoutFile!, 'r');
    const size = readSync(fd, head, 0, FILE_HEAD_BYTES, 0);
    closeSync(fd);
    reports.length = 0;
    rest = '';
    received(head.subarray(0, size));
  };
  return {
    child,
    async next(match) {
      for (;;) {
        if (stdoutFile !== undefined) readHead();
        const found = reports.find(match);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`${system} worker exited with ${child.exitCode}`);
        if (stdoutFile !== undefined) await new Promise((resolve) => setTimeout(resolve, 5));
        else await new Promise<void>((resolve) => waiters.push(resolve));
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
