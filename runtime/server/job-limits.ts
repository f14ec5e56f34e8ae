/**
 * JobLimits: admits a job under its worker's `limit` option before `perform`, or says it is over the limit.
 *  1. concurrent: take a lease (concurrent-acquire.lua) that expires after `lease` seconds, renewed while the job
 *     runs (concurrent-renew.lua) and released after the run whatever its outcome; a holder that dies leaves a
 *     lease that lapses on its own;
 *  2. window: count the start in the current window (window-acquire.lua);
 *  3. over the limit: it waits up to `wait` seconds for room (trying every ~25 ms), then is rescheduled after `backoff` seconds plus jitter, its retry count untouched (the
 *     completer writes it and counts it per limiter);
 *  4. each limiter is described once per process in `sidepunch:limiters`, for the data API and the dashboard.
 * Time is the injected clock's, passed to the scripts.
 */

import type { JobPayload } from '../core/job.js';
import {
  DEFAULT_BACKOFF_SECONDS,
  DEFAULT_WAIT_SECONDS,
  type LimitOptions,
  limiterKeyOf,
  limitProblem,
} from '../core/limit.js';
import { describeError, isInstanceOf } from '../core/thrown-value.js';
import type { WorkerClass } from '../core/worker.js';
import { keepLease, tryAcquire } from '../redis/limit-acquire.js';
import type { RuntimeContext } from './actor-context.js';

export type Admission =
  | { readonly over: false; release(): void }
  | { readonly over: true; readonly limiter: string; readonly at: number };

export type Admitted = Extract<Admission, { over: false }>;

/** A job with no limit to take: nothing to release. */
export const ADMITTED: Admitted = { over: false, release: () => {} };

/** Milliseconds between tries while a job waits for room (Sidekiq Enterprise's `wait_timeout`). */
const WAIT_PAUSE_MS = 25;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class JobLimits {
  private readonly described = new Set<string>();
  /** Each worker class's `limit` once checked (by identity: a class given a new option object is checked again). */
  private readonly checked = new WeakMap<WorkerClass, LimitOptions>();

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly random: () => number = Math.random,
  ) {}

  /** Its jobs are admitted at once (no `limit` option), without calling admit. */
  static unlimited(workerClass: WorkerClass): boolean {
    return !workerClass.sidepunchOptions?.limit;
  }

  async admit(job: JobPayload, workerClass: WorkerClass, stop?: AbortSignal): Promise<Admission> {
    const limit = workerClass.sidepunchOptions?.limit;
    if (!limit) return ADMITTED;
    if (this.checked.get(workerClass) !== limit) {
      const problem = limitProblem(limit);
      if (problem) throw new Error(`${workerClass.name}.sidepunchOptions.limit ${problem}`);
      this.checked.set(workerClass, limit);
    }
    const limiter = limiterKeyOf(workerClass.name, limit, job.args);
    const name = limit.name ?? workerClass.name;
    this.describe(name, limit);
    // Step 3's wait: tries spaced by a short pause, counted rather than timed, so a fake clock cannot stall it.
    const tries = 1 + Math.ceil(((limit.wait ?? DEFAULT_WAIT_SECONDS) * 1000) / WAIT_PAUSE_MS);
    for (let attempt = 1; ; attempt++) {
      const { redis, keys, clock } = this.ctx;
      const holder = job.jid ?? String(clock.now());
      const tried = await tryAcquire(redis, keys, limit, limiter, holder, () => clock.now());
      if (!tried.over) {
        const lease = tried.release;
        if (!lease) return ADMITTED;
        const stopKeeping = keepLease(redis, lease, () => this.ctx.clock.now());
        return {
          over: false,
          release: () => {
            stopKeeping();
            this.release(lease.key, lease.holder);
          },
        };
      }
      if (attempt >= tries || stop?.aborted) return this.over(name, limit, clock.now(), tried.untilRoomMs);
      await pause(WAIT_PAUSE_MS * (0.5 + this.random()));
    }
  }

  /** Step 3: when to run again; a window limiter waits at least for its next window. */
  private over(name: string, limit: LimitOptions, nowMs: number, untilRoomMs = 0): Admission {
    const backoff = limit.backoff ?? DEFAULT_BACKOFF_SECONDS;
    const waitSeconds = untilRoomMs / 1000 + backoff * (1 + this.random());
    return { over: true, limiter: name, at: nowMs / 1000 + waitSeconds };
  }

  /** Sent at once on the shared connection, so it reaches Redis before any later acquire from this process. */
  private release(leases: string, holder: string): void {
    this.ctx.redis.zrem(leases, holder).catch((error: unknown) => {
      this.ctx.logger.warn(
        `could not release a limiter lease (it lapses on its own): ${describeError(error)}`,
      );
    });
  }

  /**
   * The outcome for an OverLimitError thrown by `Limiter.within` inside `perform` (matched by name and shape, so
   * the ES module and CommonJS copies of sidepunch agree): rescheduled after the room it waits for plus the
   * limiter's `backoff` × [1, 2), as a declared limit is (over()).
   */
  overLimit(
    error: unknown,
    nowMs: number,
  ): { readonly kind: 'over-limit'; readonly limiter: string; readonly at: number } | undefined {
    const fields = overLimitFields(error);
    if (!fields) return undefined;
    const { limiter, untilRoomMs, backoffSeconds } = fields;
    const roomSeconds = isSeconds(untilRoomMs) ? untilRoomMs / 1000 : 0;
    const backoff = isSeconds(backoffSeconds) ? backoffSeconds : DEFAULT_BACKOFF_SECONDS;
    return { kind: 'over-limit', limiter, at: nowMs / 1000 + roomSeconds + backoff * (1 + this.random()) };
  }

  /** Step 4. */
  private describe(name: string, limit: LimitOptions): void {
    if (this.described.has(name)) return;
    this.described.add(name);
    const { redis, keys } = this.ctx;
    redis.hset(keys.limiters, name, JSON.stringify(limit)).catch(() => this.described.delete(name));
  }
}

/** An OverLimitError's fields; undefined for anything else, even a value whose traps or getters throw. */
function overLimitFields(
  error: unknown,
): { limiter: string; untilRoomMs: unknown; backoffSeconds: unknown } | undefined {
  if (!isInstanceOf(error, Error)) return undefined;
  try {
    if (error.name !== 'OverLimitError') return undefined;
    const { limiter, untilRoomMs, backoffSeconds } = error as Error & {
      limiter?: unknown;
      untilRoomMs?: unknown;
      backoffSeconds?: unknown;
    };
    return typeof limiter === 'string' ? { limiter, untilRoomMs, backoffSeconds } : undefined;
  } catch {
    return undefined; // a `name` or field getter that throws
  }
}

/** A field of another copy's OverLimitError, trusted only as a finite, non-negative number. */
function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
