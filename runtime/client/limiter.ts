/**
 * Limiters used around a piece of code, inside `perform` or anywhere (Sidekiq Enterprise's
 * `Sidekiq::Limiter.concurrent(...).within_limit { … }`):
 *
 *   const counterApi = limiter.window('counter-api', { limit: 100, per: 1 });
 *   await counterApi.within(customerId, async () => callTheApi());
 *
 *  1. try the limiter (the same scripts and keys as the `limit` option, so both share a limiter of one name);
 *  2. over the limit: wait up to `wait` seconds for room, trying every ~25 ms, then throw OverLimitError;
 *  3. inside `perform`, OverLimitError is not a failure: the runtime reschedules the job, its retry count untouched;
 *  4. a concurrent lease is kept while `fn` runs (renewed every third of `lease`) and released when it settles.
 * The connection is the one given, else REDIS_URL, else the local Redis, opened on first use.
 */
import { randomBytes } from 'node:crypto';
import { type ApiOptions, type OwnedApiConnection, openApiConnection } from '../api/api-connection.js';
import {
  DEFAULT_BACKOFF_SECONDS,
  DEFAULT_WAIT_SECONDS,
  type LimitOptions,
  limiterKey,
  limitProblem,
} from '../core/limit.js';
import { keepLease, tryAcquire } from '../redis/limit-acquire.js';

/** Thrown by `within` when the limiter stays full for `wait` seconds; in `perform`, the job is rescheduled. */
export class OverLimitError extends Error {
  override name = 'OverLimitError';
  constructor(
    readonly limiter: string,
    /** Milliseconds until the limiter has room, when its kind knows (window, bucket, leaky). */
    readonly untilRoomMs: number,
    /** The limiter's `backoff`: inside `perform`, the job is rescheduled after the room plus this × [1, 2). */
    readonly backoffSeconds: number = DEFAULT_BACKOFF_SECONDS,
  ) {
    super(`over the limit of "${limiter}"`);
  }
}

/** Where a limiter's Redis is: a URL, ioredis options or your connection, the namespace and the clock. */
export type LimiterConnection = ApiOptions;

type Declared<Kind extends LimitOptions['kind']> = Omit<
  Extract<LimitOptions, { kind: Kind }>,
  'kind' | 'name' | 'by'
>;

const WAIT_PAUSE_MS = 25;

export class Limiter {
  private connection?: OwnedApiConnection;
  /** Whether this limiter's description is in the limiters hash (the Limiters page), written once. */
  private described = false;

  constructor(
    readonly name: string,
    readonly options: LimitOptions,
    private readonly where: LimiterConnection = {},
  ) {
    const problem = limitProblem(options);
    if (problem) throw new Error(`sidepunch: limiter "${name}" ${problem}`);
    if (name === '') throw new Error('sidepunch: a limiter needs a name');
  }

  /** Runs `fn` once the limiter (for `key`, if given) has room; throws OverLimitError if it has none in time. */
  async within<T>(key: string | undefined, fn: () => T | Promise<T>): Promise<T> {
    const { redis, keys, clock } = this.connected();
    const limiter = limiterKey(this.name, key === undefined ? undefined : [key]);
    const holder = randomBytes(12).toString('hex');
    const tries = 1 + Math.ceil(((this.options.wait ?? DEFAULT_WAIT_SECONDS) * 1000) / WAIT_PAUSE_MS);
    if (!this.described) {
      await redis.hset(keys.limiters, this.name, JSON.stringify(this.options));
      this.described = true;
    }
    for (let attempt = 1; ; attempt++) {
      const tried = await tryAcquire(redis, keys, this.options, limiter, holder, () => clock.now());
      if (!tried.over) {
        const lease = tried.release;
        const stopKeeping = lease && keepLease(redis, lease, () => clock.now());
        try {
          return await fn();
        } finally {
          if (lease) {
            stopKeeping?.();
            await redis.zrem(lease.key, lease.holder);
          }
        }
      }
      if (attempt >= tries)
        throw new OverLimitError(
          this.name,
          tried.untilRoomMs,
          this.options.backoff ?? DEFAULT_BACKOFF_SECONDS,
        );
      await new Promise((resolve) => setTimeout(resolve, WAIT_PAUSE_MS * (0.5 + Math.random())));
    }
  }

  /** Closes the connection this limiter opened. */
  async close(): Promise<void> {
    const opened = this.connection;
    this.connection = undefined;
    await opened?.close();
  }

  private connected(): OwnedApiConnection {
    this.connection ??= openApiConnection(this.where, 'limiter');
    return this.connection;
  }
}

/** `limiter.concurrent(name, { limit, lease, wait })`, `.window(…, { limit, per })`, `.bucket(…)`, `.leaky(…)`. */
export const limiter = {
  concurrent: (name: string, options: Declared<'concurrent'>, where?: LimiterConnection) =>
    new Limiter(name, { kind: 'concurrent', ...options }, where),
  window: (name: string, options: Declared<'window'>, where?: LimiterConnection) =>
    new Limiter(name, { kind: 'window', ...options }, where),
  bucket: (name: string, options: Declared<'bucket'>, where?: LimiterConnection) =>
    new Limiter(name, { kind: 'bucket', ...options }, where),
  leaky: (name: string, options: Declared<'leaky'>, where?: LimiterConnection) =>
    new Limiter(name, { kind: 'leaky', ...options }, where),
};
