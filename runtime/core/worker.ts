/**
 * What a user writes: a class that implements SidepunchWorker, with optional static
 * `sidepunchOptions` (Sidekiq's `sidekiq_options`). The runtime sets `jid` before `perform`.
 */
import type { BatchCallbackInfo, BatchHandle } from './batch-scope.js';
import type { DebounceOptions } from './debounce.js';
import type { ChildDeathPolicy, ChildResult } from './flow.js';

// Beside SidepunchWorker, for the compiler's fixtures that map 'sidepunch' to this file.
export type { ChildResults } from './flow.js';

import type { LimitOptions } from './limit.js';
import type { UniqueOptions } from './unique.js';

/** Per-class options, written as a literal so that `sidepunch-gen` can read them at build time. */
export interface WorkerOptions {
  /** Queue the job is pushed to (default `"default"`). */
  readonly queue?: string;
  /** `true` (25 retries), `false` (none) or the number of retries; Ruby truthiness applies, so 0 is "go to dead". */
  readonly retry?: boolean | number;
  /** Queue for retries, when not the job's own queue. */
  readonly retry_queue?: string;
  /**
   * Sidekiq 7.2+'s `retry_for`: seconds after its first failure past which a failing job is not retried but dies
   * (its retries run out then, or at `retry`'s count, whichever comes first).
   */
  readonly retry_for?: number;
  /** `false`: a job whose retries are exhausted is discarded instead of going to the dead set. */
  readonly dead?: boolean;
  /** Store the error's backtrace with a retry: `true` for all lines or the number of lines. */
  readonly backtrace?: boolean | number;
  /** Labels shown by Sidekiq's Web UI. */
  readonly tags?: readonly string[];
  /**
   * Seconds a run may take: past it, the job's `signal` aborts and the run counts as failed (and is retried).
   * At most 2,147,483 (about 24.8 days, what a Node timer holds); a longer one is no timeout.
   */
  readonly timeout?: number;
  /**
   * Sidekiq Enterprise's unique jobs: while a job of this class, queue and arguments (or the arguments at the
   * positions `by` lists) is pending, another push of it is dropped. `for`: seconds the lock lasts at most;
   * `until`: released when the job starts, or when it succeeds (default). `false` (in `set`) bypasses it.
   * docs/unique-and-limits.md.
   */
  readonly unique?: UniqueOptions | false;
  /**
   * BullMQ's debounce: a push waits `for` seconds in the schedule set; another push of the same job (class, queue,
   * arguments or the `by` ones) meanwhile replaces its arguments (`keep: 'last'`, the default, or keeps the first:
   * `keep: 'first'`) and, with `extend` (default true), moves its time to `for` seconds after the last push.
   * `false` (in `set`) bypasses it. Not with `unique`. docs/unique-and-limits.md.
   */
  readonly debounce?: DebounceOptions | false;
  /**
   * Sidekiq Enterprise's limiters, free: `{ kind: 'concurrent', limit: 5 }` runs at most 5 at once across the
   * fleet, `{ kind: 'window', limit: 100, per: 1 }` starts at most 100 a second; `by` makes one limiter per argument
   * value. A job over its limit is rescheduled, not failed. docs/unique-and-limits.md.
   */
  readonly limit?: LimitOptions;
  /**
   * For a workflow's parent (docs/workflows.md): a child that goes to the dead set fails the parent (`'fail'`, the
   * default: the parent goes to the dead set too, naming the child) or is left out of its `children` (`'ignore'`).
   */
  readonly childDeath?: ChildDeathPolicy;
}

/** A worker class implements this. `perform` may return a promise. */
export interface SidepunchWorker {
  /** Each worker narrows its own arguments; sidepunch-gen checks them. */
  perform(...args: any[]): unknown;
  /** Set by the runtime before `perform`: the job's id. */
  jid?: string;
  /**
   * Set by the runtime before `perform`: aborts when the process shuts down (the job is then requeued, unchanged)
   * or when the job's `timeout` passes. Pass it to `fetch` and friends so jobs stop early.
   */
  signal?: AbortSignal;
  /**
   * Set by the runtime before `perform` for a job a periodic entry enqueued (docs/periodic.md): the entry's name and
   * the tick the job belongs to, epoch seconds (`tick` is the time of an "enqueue now" for `manual` runs).
   */
  periodic?: PeriodicTick;
  /**
   * Set by the runtime before `perform` for a job of a batch (docs/batches.md): `this.batch.jobs(async () => …)`
   * adds the jobs pushed inside it to the job's batch.
   */
  batch?: BatchHandle;
  /** Set by the runtime before `perform` for a batch's callback job: the batch's status when the event fired. */
  batchCallback?: BatchCallbackInfo;
  /**
   * Set by the runtime before `perform` for a workflow's parent (docs/workflows.md): its children's results, in the
   * order they were given. Declare it typed: `declare readonly children: ChildResults<Fetch>`.
   */
  children?: readonly ChildResult<string, unknown>[];
}

/** Which run of a periodic entry a job is: the job's `periodic` field. */
export interface PeriodicTick {
  readonly name: string;
  readonly tick: number;
  readonly manual?: true;
}

/** The job's `periodic` field when it is one, else undefined. */
export function periodicTickOf(job: Readonly<Record<string, unknown>>): PeriodicTick | undefined {
  const field = job.periodic as Partial<PeriodicTick> | null | undefined;
  if (!field || typeof field !== 'object' || typeof field.name !== 'string' || typeof field.tick !== 'number')
    return undefined;
  return field.manual === true
    ? { name: field.name, tick: field.tick, manual: true }
    : { name: field.name, tick: field.tick };
}

/** What `sidepunchRetryIn` may answer: seconds until the next try, or where the job goes instead. */
export type RetryInAnswer = number | 'discard' | 'kill' | undefined | null;

/** What `sidepunchRetriesExhausted` may answer: `'discard'` drops the job; anything else lets it die. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing is the usual one.
export type RetriesExhaustedAnswer = 'discard' | undefined | void;

/** The constructor side of a worker, as the registry holds it. */
export interface WorkerClass {
  new (): SidepunchWorker;
  readonly name: string;
  readonly sidepunchOptions?: WorkerOptions;
  /**
   * Sidekiq's `sidekiq_retry_in`: seconds before retry number `count` (0 for the first), `'discard'` to drop the
   * job, or `'kill'` to send it to the dead set now. Anything else uses the default backoff.
   */
  sidepunchRetryIn?(count: number, error: unknown): RetryInAnswer;
  /**
   * Sidekiq's `sidekiq_retries_exhausted`: called once when the job's retries run out, before it dies. Answer
   * `'discard'` (Sidekiq's `:discard`) to drop the job instead: no dead set, no death handlers.
   */
  sidepunchRetriesExhausted?(
    job: Readonly<Record<string, unknown>>,
    error: unknown,
  ): RetriesExhaustedAnswer | Promise<RetriesExhaustedAnswer>;
  /**
   * The upgrade step from the generation of `perform`'s arguments before the current one (sidepunch.shapes.json):
   * a job pushed with those arguments is run with what this returns (docs/deploys.md).
   */
  sidepunchUpgrade?(old: never): readonly unknown[];
  /** Older steps, keyed by the generation they upgrade from: `{ 1: (old: SendEmailArgsV1) => [...] }`. */
  readonly sidepunchUpgrades?: Readonly<Record<number, (old: never) => readonly unknown[]>>;
}
