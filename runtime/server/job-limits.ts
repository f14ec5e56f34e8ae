/**
 * JobLimits: admits a job under its worker's `limit` option before `perform`, or says it is over the limit.
 *  1. concurrent: take a lease (concurrent-acquire.lua) that expires after `lease` seconds, released after the
 *     run whatever its outcome; a holder that dies leaves a lease that lapses on its own;
 *  2. window: count the start in the current window (window-acquire.lua);
 *  3. over the limit: it waits up to `wait` seconds for room (trying every ~25 ms), then is rescheduled after `backoff` seconds plus jitter, its retry count untouched (the
 *     completer writes it and counts it per limiter);
 *  4. each limiter is described once per process in `sidepunch:limiters`, for the data API and the dashboard.
 * Time is the injected clock's, passed to the scripts.
 */

import type { JobPayload } from '../core/job.js';
import {
  DEFAULT_BACKOFF_SECONDS,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_WAIT_SECONDS,
  type LimitOptions,
  limiterKeyOf,
  limitProblem,
} from '../core/limit.js';
import { describeError } from '../core/thrown-value.js';
import type { WorkerClass } from '../core/worker.js';
import type { RuntimeContext } from './actor-context.js';

export type Admission =
  | { readonly over: false; release(): void }
  | { readonly over: true; readonly limiter: string; readonly at: number };

const ADMITTED = { over: false, release: () => {} } as const;

/** One try: admitted, or over the limit with the milliseconds until the limiter has room, when known. */
type Tried =
  | typeof ADMITTED
  | { readonly over: false; release(): void }
  | { readonly over: true; readonly untilRoomMs: number };
/** Milliseconds between tries while a job waits for room (Sidekiq Enterprise's `wait_timeout`). */
const WAIT_PAUSE_MS = 25;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class JobLimits {
  private readonly described = new Set<string>();

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly random: () => number = Math.random,
  ) {}

  async admit(job: JobPayload, workerClass: WorkerClass, stop?: AbortSignal): Promise<Admission> {
    const limit = workerClass.sidepunchOptions?.limit;
    if (!limit) return ADMITTED;
    const problem = limitProblem(limit);
    if (problem) throw new Error(`${workerClass.name}.sidepunchOptions.limit ${problem}`);
    const limiter = limiterKeyOf(workerClass.name, limit, job.args);
    const name = limit.name ?? workerClass.name;
    this.describe(name, limit);
    // Step 3's wait: tries spaced by a short pause, counted rather than timed, so a fake clock cannot stall it.
    const tries = 1 + Math.ceil(((limit.wait ?? DEFAULT_WAIT_SECONDS) * 1000) / WAIT_PAUSE_MS);
    for (let attempt = 1; ; attempt++) {
      const nowMs = this.ctx.clock.now();
      const tried = await this.tryAcquire(job, limit, limiter, nowMs);
      if (!tried.over) return tried;
      if (attempt >= tries || stop?.aborted) return this.over(name, limit, nowMs, tried.untilRoomMs);
      await pause(WAIT_PAUSE_MS * (0.5 + this.random()));
    }
  }

  private async tryAcquire(
    job: JobPayload,
    limit: LimitOptions,
    limiter: string,
    nowMs: number,
  ): Promise<Tried> {
    const { redis, keys } = this.ctx;
    if (limit.kind === 'concurrent') {
      const leases = keys.limiterLeases(limiter);
      const holder = job.jid ?? String(nowMs);
      const leaseMs = Math.ceil((limit.lease ?? DEFAULT_LEASE_SECONDS) * 1000);
      const acquired = await redis.sidepunchConcurrentAcquire(
        leases,
        nowMs,
        limit.limit,
        holder,
        nowMs + leaseMs,
        leaseMs,
      );
      if (acquired === 1) return { over: false, release: () => this.release(leases, holder) };
      return { over: true, untilRoomMs: 0 };
    }
    const perMs = (limit.per ?? 1) * 1000;
    if (limit.kind === 'bucket' || limit.kind === 'leaky') {
      const bucket = keys.limiterBucket(limiter);
      const waitMs =
        limit.kind === 'bucket'
          ? await redis.sidepunchBucketAcquire(bucket, nowMs, limit.limit, perMs)
          : await redis.sidepunchLeakyAcquire(bucket, nowMs, perMs / limit.limit);
      return waitMs === 0 ? ADMITTED : { over: true, untilRoomMs: waitMs };
    }
    const windowStart = Math.floor(nowMs / perMs) * perMs;
    const windowKey = keys.limiterWindow(limiter, windowStart);
    const leftMs = windowStart + perMs - nowMs;
    if ((await redis.sidepunchWindowAcquire(windowKey, limit.limit, Math.ceil(leftMs))) === 1)
      return ADMITTED;
    return { over: true, untilRoomMs: leftMs };
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

  /** Step 4. */
  private describe(name: string, limit: LimitOptions): void {
    if (this.described.has(name)) return;
    this.described.add(name);
    const { redis, keys } = this.ctx;
    redis.hset(keys.limiters, name, JSON.stringify(limit)).catch(() => this.described.delete(name));
  }
}
