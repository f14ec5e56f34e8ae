/**
 * Manager: keeps up to `concurrency` jobs in flight on this event loop.
 *  1. keep a small buffer of taken jobs, refilled in one round trip whenever it runs low; when every queue is
 *     empty, wait on the blocking fetch;
 *  2. start each job without awaiting it: execute, then JobRetry decides where it goes, then the completer
 *     writes that in the next batch, and the slot frees at once;
 *  3. stopFetching() stops taking jobs, and giveBackUnstarted() returns the buffer to the queues; drain() waits for
 *     the running jobs, up to a deadline (or not at all once abandonRunning() was called, after a crash).
 * A Redis error in the loop is logged and retried after a pause; the loop itself never dies.
 */

import type { JobPayload } from '../core/job.js';
import { describeError } from '../core/thrown-value.js';
import type { RuntimeContext } from './actor-context.js';
import { AloneGate } from './alone-gate.js';
import type { Completer } from './completer.js';
import { type ExecutionSample, executionSample } from './execution-metrics.js';
import type { Executor, Outcome } from './executor.js';
import type { Fetcher } from './fetcher.js';
import type { Disposition, JobRetry } from './job-retry.js';
import { PrefetchSizer } from './prefetch.js';
import type { HeldJobs, UnitOfWork } from './unit-of-work.js';
import { ended, type RunningJob, WorkState } from './work-state.js';

const FETCH_ERROR_PAUSE_MS = 1000;

export class Manager {
  private inFlight = 0;
  private quieted = false;
  private bufferLow?: () => void;
  /** The parked fetch loop runs again once fewer jobs than this are buffered. */
  private wakeBelow = 0;
  /** Jobs taken and not yet started, from `readyHead` on (the slots before it are cleared). */
  private readonly ready: (UnitOfWork | undefined)[] = [];
  private readyHead = 0;
  /** Called once nothing runs any more. */
  private readonly idleWaiters: (() => void)[] = [];
  /** Set while a suspect runs alone (or waits for the running jobs to finish first): nothing else starts. */
  private alone = false;
  /** dispatch() is running: a job finished synchronously within it does not call it again. */
  private dispatching = false;
  /** A dispatch() is scheduled by resumeSoon(). */
  private resuming = false;
  /** Set while another thread of this process runs a suspect alone: buffered jobs wait for it. */
  private gateWait?: Promise<void>;
  private loop?: Promise<void>;
  /** Resolves when abandonRunning() is called: drain() stops waiting. */
  private readonly abandoned: Promise<false>;
  private abandon!: () => void;
  /** What runs now, for the heartbeat's work hash and for shutdown. */
  readonly work = new WorkState();
  private readonly prefetch: PrefetchSizer;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly fetcher: Fetcher,
    private readonly executor: Executor,
    private readonly retry: JobRetry,
    private readonly completer: Completer,
    held: HeldJobs,
    private readonly gate = new AloneGate(),
  ) {
    this.prefetch = new PrefetchSizer(ctx.config.concurrency);
    this.abandoned = new Promise((resolve) => (this.abandon = () => resolve(false)));
    held.addSource(
      function* (this: Manager) {
        for (let i = this.readyHead; i < this.ready.length; i++) yield this.ready[i]!;
        for (const running of this.work.jobs()) yield running.unit;
      }.bind(this),
    );
  }

  get busy(): number {
    return this.inFlight;
  }

  get quiet(): boolean {
    return this.quieted;
  }

  /** Fires every running job's AbortSignal, so jobs that honour it stop early; they are requeued unchanged. */
  interruptRunning(): void {
    this.work.interruptAll();
  }

  /** After a crash no job can be blamed for: drain() (now or later) returns at once, without the running jobs. */
  abandonRunning(): void {
    this.abandon();
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops taking new jobs; running ones go on. A fetch stuck on an unreachable Redis is not waited for. */
  async stopFetching(waitMs = 5000): Promise<void> {
    this.quieted = true;
    this.fetcher.stop();
    this.wakeFetchLoop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  /**
   * Once quiet, the jobs taken ahead of the free slots will not start here: back to their queues, for the other
   * processes (a quiet Sidekiq process holds only what it runs). Should Redis fail, they stay in the in-progress
   * list, and shutdown gives them back with the rest.
   */
  async giveBackUnstarted(): Promise<number> {
    const moved = await this.fetcher.giveBack(this.ready.slice(this.readyHead) as UnitOfWork[]);
    this.ready.length = 0;
    this.readyHead = 0;
    return moved;
  }

  /** Waits for running jobs; resolves true when all finished before `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.idle().then(() => true), expired, this.abandoned]);
    clearTimeout(timer);
    return result;
  }

  /**
   * Runs one job with nothing else running beside it: starting buffered jobs pauses, the running ones finish,
   * then `take()` hands the job (or nothing, e.g. once quiet) and it runs; resolves once its outcome is written.
   * Buffered jobs stay buffered, in the in-progress list, so a crash meanwhile can only be this job's doing.
   */
  async runAlone(take: () => Promise<UnitOfWork | undefined>): Promise<boolean> {
    this.alone = true;
    try {
      await this.gate.take();
      await this.idle();
      const unit = this.quieted ? undefined : await take();
      if (!unit) return false;
      this.gate.tryStart();
      this.perform(unit);
      await this.idle();
      await this.completer.flush();
      return true;
    } finally {
      this.alone = false;
      this.gate.release();
      if (!this.quieted) this.dispatch();
    }
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * The fetch loop keeps a buffer of taken jobs (still in Redis, in the in-progress list) so that a slot that frees
   * starts its next job at once instead of waiting for a round trip; PrefetchSizer says how big.
   */
  private async run(): Promise<void> {
    while (!this.quieted) {
      const lowWater = this.prefetch.lowWater();
      if (this.buffered() >= lowWater) {
        await this.bufferBelow(lowWater);
        continue;
      }
      let units: UnitOfWork[];
      try {
        const started = performance.now();
        units = await this.fetcher.fetch(this.prefetch.buffer() - this.buffered());
        this.prefetch.recordFetch(performance.now() - started);
        let chars = 0;
        for (const unit of units) chars += unit.raw.length;
        this.prefetch.recordPayloads(units.length, chars);
      } catch (error) {
        if (this.quieted) break;
        this.ctx.logger.warn(`fetch failed, retrying in ${FETCH_ERROR_PAUSE_MS} ms: ${describeError(error)}`);
        await new Promise((resolve) => setTimeout(resolve, FETCH_ERROR_PAUSE_MS));
        continue;
      }
      for (const unit of units) this.ready.push(unit);
      // Jobs taken as the process went quiet are not started: giveBackUnstarted() returns them with the buffer.
      if (this.quieted) break;
      this.dispatch();
      if (units.length > 0) continue;
      // Every queue was empty. With jobs still buffered (their slots busy), asking again at once would repeat
      // fetch.lua in a loop until a slot frees: ask once they have all started; with none, wait on the blocking fetch.
      if (this.buffered() > 0) await this.bufferBelow(1);
      else await this.fetcher.waitForWork();
    }
  }

  /** Parks the fetch loop until fewer than `count` jobs are buffered, or the process goes quiet. */
  private bufferBelow(count: number): Promise<void> {
    this.wakeBelow = count;
    return new Promise((resolve) => {
      this.bufferLow = resolve;
    });
  }

  private buffered(): number {
    return this.ready.length - this.readyHead;
  }

  /** Starts buffered jobs while slots are free. */
  private dispatch(): void {
    if (this.alone) return;
    // A job that finishes synchronously calls dispatch from inside this loop: the loop goes on instead, so a buffer
    // of such jobs runs in one loop, not in a recursion as deep as the buffer.
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      this.startBuffered();
    } finally {
      this.dispatching = false;
    }
  }

  private startBuffered(): void {
    const { concurrency } = this.ctx.config;
    while (this.inFlight < concurrency && this.readyHead < this.ready.length) {
      // Jobs that settle synchronously would run the whole buffer before the fetch loop could ask for more, and
      // the slots would then wait a round trip: once the buffer is low, pause so the next fetch is sent (the loop's
      // microtasks), and go on in a moment, while Redis answers it.
      if (this.bufferLow && this.buffered() < this.wakeBelow) {
        this.wakeFetchLoop();
        this.resumeSoon();
        break;
      }
      if (!this.gate.tryStart()) {
        this.waitForGate();
        break;
      }
      const unit = this.ready[this.readyHead]!;
      this.ready[this.readyHead++] = undefined;
      this.perform(unit);
    }
    if (this.readyHead === this.ready.length) {
      this.ready.length = 0;
      this.readyHead = 0;
    }
    if (this.buffered() < this.wakeBelow) this.wakeFetchLoop();
  }

  /** dispatch() again after the pending microtasks (the fetch loop's) and I/O callbacks, once. */
  private resumeSoon(): void {
    if (this.resuming) return;
    this.resuming = true;
    setImmediate(() => {
      this.resuming = false;
      if (!this.quieted) this.dispatch();
    });
  }

  private waitForGate(): void {
    this.gateWait ??= this.gate.opened().then(() => {
      this.gateWait = undefined;
      if (!this.quieted) this.dispatch();
    });
  }

  /**
   * Call once the gate counted the job (tryStart). A job that settles at once (executor.ts) is finished here,
   * synchronously; one that returns a promise is finished when it settles.
   */
  private perform(unit: UnitOfWork): void {
    this.inFlight++;
    const running = this.work.open(unit, this.ctx.clock);
    let outcome: Outcome | Promise<Outcome>;
    try {
      outcome = this.executor.execute(running);
    } catch (error) {
      this.internalError(running, error);
      return;
    }
    if (outcome instanceof Promise) this.disposeLater(running, outcome);
    else this.dispose(running, outcome);
  }

  /** The outcome's disposition (JobRetry), at once for a success, then the job is finished. */
  private dispose(running: RunningJob, outcome: Outcome): void {
    const sample = executionSample(outcome, ended(running, this.ctx.clock) - running.performStart);
    const job = outcome.kind === 'done' || outcome.kind === 'failed' ? outcome.job : undefined;
    let disposition: ReturnType<JobRetry['dispose']>;
    try {
      disposition = this.retry.dispose(running.unit, outcome);
    } catch (error) {
      this.internalError(running, error);
      return;
    }
    if (disposition instanceof Promise) this.finishLater(running, disposition, sample, job);
    else this.finish(running, disposition, sample, job);
  }

  /*
   * A step that returned a promise: until it settles the job is listed as running (WorkState), so the heartbeat
   * shows it and adoption does not take it again. Its callbacks are made here, not in perform() and dispose(), so
   * the jobs that settle at once (most) allocate none.
   */
  private disposeLater(running: RunningJob, outcome: Promise<Outcome>): void {
    this.work.track(running);
    outcome.then(
      (settled) => this.dispose(running, settled),
      (error) => this.internalError(running, error),
    );
  }

  private finishLater(
    running: RunningJob,
    disposition: Promise<Disposition | undefined>,
    sample: ExecutionSample | undefined,
    job: JobPayload | undefined,
  ): void {
    this.work.track(running);
    disposition.then(
      (settled) => this.finish(running, settled, sample, job),
      (error) => this.internalError(running, error),
    );
  }

  /**
   * A job's own errors are outcomes; reaching here is a bug in Sidepunch itself. The job stays in the in-progress
   * list, so shutdown (or a rescuer) gives it back to its queue.
   */
  private internalError(running: RunningJob, error: unknown): void {
    this.ctx.logger.error(`internal error while performing a job, left in progress: ${describeError(error)}`);
    this.finish(running, undefined);
  }

  private finish(
    running: RunningJob,
    disposition: Disposition | undefined,
    sample?: ExecutionSample,
    job?: JobPayload,
  ): void {
    this.work.finish(running);
    this.gate.finished();
    // The job's own time, to its outcome (a job that never reached one: to now).
    const endedAt = Number.isNaN(running.endedAt) ? performance.now() : running.endedAt;
    this.prefetch.recordJob(endedAt - running.startedAt);
    if (disposition) this.completer.record(running.unit, disposition, sample, job, this.inFlight > 1);
    this.inFlight--;
    if (!this.quieted) this.dispatch();
    if (this.inFlight === 0 && this.idleWaiters.length > 0)
      for (const idle of this.idleWaiters.splice(0)) idle();
  }

  private wakeFetchLoop(): void {
    const bufferLow = this.bufferLow;
    this.bufferLow = undefined;
    bufferLow?.();
  }
}
