/**
 * Fake mode's store: every job pushed, in push order, as it came back from JSON, with its time when scheduled.
 * `worker(stub)` gives one worker's view; `drainAll` and `clearAll` act on all of them.
 */

import type { DebounceResult } from '../client/debounce-push.js';
import type { WorkerStub } from '../client/stub.js';
import type { DebounceRule } from '../core/debounce.js';
import type { JobPayload } from '../core/job.js';
import { processWide } from '../core/process-wide.js';
import { uniqueFieldsOf } from '../core/unique.js';
import { clearBatches } from './fake-batches.js';
import { clearWorkflows } from './fake-flows.js';
import { performJob } from './perform-job.js';
import { clearTestingLocks, releaseTestingLock } from './testing-locks.js';
import { TestingError } from './workers.js';

export interface FakeJob<Args extends readonly unknown[] = readonly unknown[]> {
  readonly jid: string;
  readonly class: string;
  readonly args: Args;
  readonly queue: string;
  /** When it is due, in epoch seconds: only for jobs pushed for a future time (`performIn`, `performAt`). */
  readonly at?: number;
  /** The whole payload, as Redis would hold it. */
  readonly payload: Readonly<JobPayload>;
}

/** One worker's fake jobs, as Sidekiq's `Worker.jobs`, `drain`, `perform_one` and `clear`. */
export interface FakeWorker<Args extends readonly unknown[]> {
  /** Its jobs not yet performed, oldest first. */
  readonly jobs: readonly FakeJob<Args>[];
  /** Performs its jobs, oldest first, until none is left (jobs they push are performed too); a job's error stops it. */
  drain(): Promise<void>;
  /** Performs its oldest job; throws when it has none. */
  performOne(): Promise<void>;
  /** Forgets its jobs. */
  clear(): void;
}

export class EmptyQueueError extends TestingError {
  override name = 'EmptyQueueError';
}

// One store per process, whichever copy of sidepunch pushed (core/process-wide.ts).
// `debounced`: a debounce digest → the jid of the job that waits for it (pending while `jobs` holds it).
const recorded = processWide<{ jobs: FakeJob[]; debounced: Map<string, string> }>('fakeJobs', () => ({
  jobs: [],
  debounced: new Map(),
}));

export function recordFakeJob(payload: JobPayload, at: number | undefined): void {
  recorded.jobs.push({
    jid: payload.jid ?? '',
    class: payload.class,
    args: payload.args,
    queue: payload.queue,
    ...(at === undefined ? {} : { at }),
    payload,
  });
}

/**
 * A debounced job, as debounce-push.lua folds it: recorded when no job of its digest is pending, else it replaces
 * the pending one (`keep: 'last'`, at the end of the store) or leaves it, moving its time with `extend`.
 */
export function recordDebouncedFakeJob(
  payload: JobPayload,
  at: number,
  digest: string,
  rule: DebounceRule,
): DebounceResult | undefined {
  const pendingJid = recorded.debounced.get(digest);
  const index = pendingJid === undefined ? -1 : recorded.jobs.findIndex((job) => job.jid === pendingJid);
  const pending = recorded.jobs[index];
  if (!pending) {
    recordFakeJob(payload, at);
    recorded.debounced.set(digest, payload.jid ?? '');
    return undefined;
  }
  const runAt = rule.extend || pending.at === undefined ? at : pending.at;
  if (rule.keep === 'first') {
    recorded.jobs[index] = { ...pending, at: runAt };
    return { kind: 'kept', pending: pending.jid, at: runAt };
  }
  recorded.jobs.splice(index, 1);
  recordFakeJob(payload, runAt);
  recorded.debounced.set(digest, payload.jid ?? '');
  return { kind: 'replaced', replaced: pending.jid, at: runAt };
}

/** One worker's fake jobs, typed by its generated stub: `worker(jobs.SendEmail).jobs[0].args`. */
export function worker<Args extends readonly unknown[]>(stub: WorkerStub<Args> | string): FakeWorker<Args> {
  const className = typeof stub === 'string' ? stub : stub.className;
  // Taken on trust, as the stub's types are: a job of its class has its argument types.
  const mine = (job: FakeJob): job is FakeJob<Args> => job.class === className;
  return {
    get jobs() {
      return recorded.jobs.filter(mine);
    },
    async drain() {
      for (let job = take(mine); job; job = take(mine)) await performJob(job.payload as JobPayload);
    },
    async performOne() {
      const job = take(mine);
      if (!job) throw new EmptyQueueError(`performOne: ${className} has no fake jobs`);
      await performJob(job.payload as JobPayload);
    },
    clear() {
      for (const job of recorded.jobs.filter(mine)) releaseLockOf(job);
      recorded.jobs = recorded.jobs.filter((job) => !mine(job));
    },
  };
}

/** Every fake job of every worker, oldest first. */
export function allJobs(): readonly FakeJob[] {
  return [...recorded.jobs];
}

/** Performs every fake job, oldest first, until none is left (Sidekiq's `drain_all`). */
export async function drainAll(): Promise<void> {
  for (let job = take(() => true); job; job = take(() => true)) await performJob(job.payload as JobPayload);
}

/** Forgets every fake job (Sidekiq's `clear_all`), every batch and every workflow; call it between tests. */
export function clearAll(): void {
  recorded.jobs = [];
  recorded.debounced.clear();
  clearTestingLocks();
  clearBatches();
  clearWorkflows();
}

/** A forgotten job no longer holds its unique lock (as the data API's delete releases it). */
function releaseLockOf(job: FakeJob): void {
  const unique = uniqueFieldsOf(job.payload);
  if (unique) releaseTestingLock(unique.unique_digest, job.jid);
}

/** Removes and returns the oldest job that matches: removed first, so a job that throws is not run again. */
function take(matches: (job: FakeJob) => boolean): FakeJob | undefined {
  const index = recorded.jobs.findIndex(matches);
  if (index < 0) return undefined;
  const [job] = recorded.jobs.splice(index, 1);
  return job;
}
