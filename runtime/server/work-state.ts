/**
 * The jobs this process is running right now: what the heartbeat writes to the work hash (Sidekiq's "busy"
 * page), and what shutdown interrupts. All jobs share one shutdown signal, so a job costs no AbortController
 * unless its worker has a timeout.
 */
import { type Clock, epochAt } from '../core/clock.js';
import type { UnitOfWork } from './unit-of-work.js';

/** Aborts the jobs' signal when the process shuts down; a job that stops because of it is requeued, not retried. */
export class ShutdownRequested extends Error {
  override name = 'ShutdownRequested';
}

export interface RunningJob {
  /** Sidekiq calls it the thread id: a number for this run, unique within the process. */
  readonly tid: number;
  readonly unit: UnitOfWork;
  /** Epoch seconds, whole, as Sidekiq's `run_at`. */
  readonly runAt: number;
  /** Aborted when the process shuts down. */
  readonly shutdownSignal: AbortSignal;
  /** performance.now() at the start, for the prefetch sizing. */
  readonly startedAt: number;
  /**
   * The runtime's clock when `perform` began (epoch ms): the start, or later for a job that waited for room under a
   * limit (executor.ts). Its elapsed time in its log line and metrics counts from it: execution time, not the wait.
   */
  performStart: number;
  /** performance.now() at the job's outcome (NaN until ended() read it). */
  endedAt: number;
  /** The runtime's clock then: the `done` or `fail` line's elapsed time and the metrics sample's, the same reading. */
  clockEnd: number;
  /** Shutdown gave it back to its queue: its outcome, if it comes, is dropped and it runs again (executor.ts). */
  givenBack: boolean;
}

/**
 * Reads the clocks once at a job's outcome, for its log line (executor), its metrics sample and the prefetch's
 * measure (manager); a later call keeps the first reading. One `performance.now()` for both on the system clock.
 */
export function ended(job: RunningJob, clock: Clock): number {
  if (Number.isNaN(job.endedAt)) {
    job.endedAt = performance.now();
    job.clockEnd = epochAt(clock, job.endedAt);
  }
  return job.clockEnd;
}

export class WorkState {
  private readonly running = new Map<number, RunningJob>();
  private readonly shutdown = new AbortController();
  private nextTid = 0;

  /**
   * A job about to run, not yet listed: one that settles synchronously (executor.ts) is over before anything could
   * read the list (the heartbeat, shutdown, adoption), so only one that returns a promise is listed, by track().
   */
  open(unit: UnitOfWork, clock: Clock): RunningJob {
    const startedAt = performance.now();
    const nowMs = epochAt(clock, startedAt);
    return {
      tid: this.nextTid++,
      unit,
      runAt: Math.floor(nowMs / 1000),
      shutdownSignal: this.shutdown.signal,
      startedAt,
      performStart: nowMs,
      endedAt: Number.NaN,
      clockEnd: Number.NaN,
      givenBack: false,
    };
  }

  /** Lists a job that runs on after open()'s turn. */
  track(job: RunningJob): void {
    this.running.set(job.tid, job);
  }

  finish(job: RunningJob): void {
    this.running.delete(job.tid);
  }

  /** At shutdown, once outcomes are no longer recorded: every job still running goes back to its queue. */
  giveBackAll(): void {
    for (const job of this.running.values()) job.givenBack = true;
  }

  get size(): number {
    return this.running.size;
  }

  jobs(): IterableIterator<RunningJob> {
    return this.running.values();
  }

  /** Fires the shared shutdown signal of every running (and later) job. */
  interruptAll(): void {
    this.shutdown.abort(new ShutdownRequested('the process is shutting down'));
  }
}
