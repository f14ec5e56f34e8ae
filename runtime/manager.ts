/**
 * Manager: keeps up to `concurrency` jobs in flight on this event loop.
 *  1. when slots are free, fetch that many jobs in one go; when none come back, wait on the blocking fetch;
 *  2. start each job without awaiting it: execute, then JobRetry decides where it goes, then the completer
 *     writes that in the next batch, and the slot frees at once;
 *  3. stopFetching() stops taking jobs; drain() waits for the running jobs, up to a deadline.
 * A Redis error in the loop is logged and retried after a pause; the loop itself never dies.
 */
import type { Completer } from './completer.js';
import type { RuntimeContext } from './context.js';
import type { Executor } from './executor.js';
import { describeError } from './executor.js';
import type { Fetcher } from './fetcher.js';
import type { Disposition, JobRetry } from './job-retry.js';
import type { UnitOfWork } from './unit-of-work.js';
import { type RunningJob, ShutdownRequested, WorkState } from './work-state.js';

const FETCH_ERROR_PAUSE_MS = 1000;

export class Manager {
  private inFlight = 0;
  private quieted = false;
  private slotFreed?: () => void;
  private allDone?: () => void;
  private loop?: Promise<void>;
  /** What runs now, for the heartbeat's work hash and for shutdown. */
  readonly work = new WorkState();

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly fetcher: Fetcher,
    private readonly executor: Executor,
    private readonly retry: JobRetry,
    private readonly completer: Completer,
  ) {}

  get busy(): number {
    return this.inFlight;
  }

  get quiet(): boolean {
    return this.quieted;
  }

  /** Fires every running job's AbortSignal, so jobs that honour it stop early; they are requeued unchanged. */
  interruptRunning(): void {
    this.work.abortAll(new ShutdownRequested('the process is shutting down'));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops taking new jobs; running ones go on. A fetch stuck on an unreachable Redis is not waited for. */
  async stopFetching(waitMs = 5000): Promise<void> {
    this.quieted = true;
    this.fetcher.stop();
    this.wakeSlotWaiter();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  /** Waits for running jobs; resolves true when all finished before `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<boolean>((resolve) => {
      this.allDone = () => resolve(true);
    });
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([finished, expired]);
    clearTimeout(timer);
    return result;
  }

  private async run(): Promise<void> {
    const { concurrency } = this.ctx.config;
    while (!this.quieted) {
      if (this.inFlight >= concurrency) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        continue;
      }
      let units: UnitOfWork[];
      try {
        units = await this.fetcher.fetch(concurrency - this.inFlight);
      } catch (error) {
        if (this.quieted) break;
        this.ctx.logger.warn(`fetch failed, retrying in ${FETCH_ERROR_PAUSE_MS} ms: ${describeError(error)}`);
        await new Promise((resolve) => setTimeout(resolve, FETCH_ERROR_PAUSE_MS));
        continue;
      }
      // Jobs taken as the process went quiet stay in the in-progress list; shutdown requeues them.
      if (this.quieted) break;
      if (units.length === 0) {
        await this.fetcher.waitForWork();
        continue;
      }
      for (const unit of units) this.perform(unit);
    }
  }

  private perform(unit: UnitOfWork): void {
    this.inFlight++;
    const running = this.work.start(unit, this.ctx.clock.now());
    this.executor
      .execute(running)
      .then((outcome) => this.retry.dispose(unit, outcome))
      .then(
        (disposition) => this.finish(running, disposition),
        // A job's own errors are outcomes; reaching here is a bug in Sidepunch itself. The job stays in the
        // in-progress list, so shutdown (or a rescuer) gives it back to its queue.
        (error) => {
          this.ctx.logger.error(
            `internal error while performing a job, left in progress: ${describeError(error)}`,
          );
          this.finish(running, undefined);
        },
      );
  }

  private finish(running: RunningJob, disposition: Disposition | undefined): void {
    this.work.finish(running);
    if (disposition) this.completer.record(running.unit, disposition);
    this.inFlight--;
    this.wakeSlotWaiter();
    if (this.inFlight === 0) {
      const allDone = this.allDone;
      this.allDone = undefined;
      allDone?.();
    }
  }

  private wakeSlotWaiter(): void {
    const slotFreed = this.slotFreed;
    this.slotFreed = undefined;
    slotFreed?.();
  }
}
