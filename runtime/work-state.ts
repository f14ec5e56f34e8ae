/**
 * The jobs this process is running right now: what the heartbeat writes to the work hash (Sidekiq's "busy"
 * page), and what shutdown aborts.
 */
import type { UnitOfWork } from './unit-of-work.js';

/** Aborts a job's signal when the process shuts down; a job that stops because of it is requeued, not retried. */
export class ShutdownRequested extends Error {
  override name = 'ShutdownRequested';
}

export class RunningJob {
  readonly controller = new AbortController();
  constructor(
    /** Sidekiq calls it the thread id: a short name for this slot, unique within the process. */
    readonly tid: string,
    readonly unit: UnitOfWork,
    /** Epoch seconds, whole, as Sidekiq's `run_at`. */
    readonly runAt: number,
  ) {}

  get interruptedByShutdown(): boolean {
    return this.controller.signal.aborted && this.controller.signal.reason instanceof ShutdownRequested;
  }
}

export class WorkState {
  private readonly running = new Map<string, RunningJob>();
  private nextTid = 0;

  start(unit: UnitOfWork, nowMs: number): RunningJob {
    const job = new RunningJob((this.nextTid++).toString(36), unit, Math.floor(nowMs / 1000));
    this.running.set(job.tid, job);
    return job;
  }

  finish(job: RunningJob): void {
    this.running.delete(job.tid);
  }

  get size(): number {
    return this.running.size;
  }

  jobs(): IterableIterator<RunningJob> {
    return this.running.values();
  }

  /** Fires every running job's AbortSignal. */
  abortAll(reason: Error): void {
    for (const job of this.running.values()) job.controller.abort(reason);
  }
}
