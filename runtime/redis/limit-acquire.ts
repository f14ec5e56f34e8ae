/**
 * One try at a limiter, whatever its kind (the scripts *-acquire.lua): admitted, with a release for a concurrent
 * lease, or over the limit with the milliseconds until it has room when the kind knows them; and a concurrent
 * lease kept while its holder runs (keepLease). Shared by the declarative `limit` option (server/job-limits.ts)
 * and `Limiter.within` (client/limiter.ts).
 */
import { DEFAULT_LEASE_SECONDS, type LimitOptions } from '../core/limit.js';
import type { Keys } from './keys.js';
import type { RedisConnection } from './redis-connection.js';

/** A concurrent lease taken: its key, its holder and its length. */
export interface Lease {
  readonly key: string;
  readonly holder: string;
  readonly leaseMs: number;
}

export type Tried =
  | { readonly over: false; readonly release?: Lease }
  | { readonly over: true; readonly untilRoomMs: number };

/**
 * `limiter` is the limiter's name with its key; `holder` names a concurrent lease (a jid, or a random id); `now`
 * the clock, read before the script and, for a window, again after it.
 */
export async function tryAcquire(
  redis: RedisConnection,
  keys: Keys,
  limit: LimitOptions,
  limiter: string,
  holder: string,
  now: () => number,
): Promise<Tried> {
  const nowMs = now();
  if (limit.kind === 'concurrent') {
    const leases = keys.limiterLeases(limiter);
    const leaseMs = Math.ceil((limit.lease ?? DEFAULT_LEASE_SECONDS) * 1000);
    const acquired = await redis.sidepunchConcurrentAcquire(
      leases,
      nowMs,
      limit.limit,
      holder,
      nowMs + leaseMs,
      leaseMs,
    );
    return acquired === 1
      ? { over: false, release: { key: leases, holder, leaseMs } }
      : { over: true, untilRoomMs: 0 };
  }
  const perMs = (limit.per ?? 1) * 1000;
  if (limit.kind === 'bucket' || limit.kind === 'leaky') {
    const bucket = keys.limiterBucket(limiter);
    const waitMs =
      limit.kind === 'bucket'
        ? await redis.sidepunchBucketAcquire(bucket, nowMs, limit.limit, perMs)
        : await redis.sidepunchLeakyAcquire(bucket, nowMs, perMs / limit.limit);
    return waitMs === 0 ? { over: false } : { over: true, untilRoomMs: waitMs };
  }
  const counted = await countInWindow(redis, keys, limit.limit, perMs, limiter, nowMs);
  // A start counted in a window that ended while the script ran (a busy Redis, a loaded host) would begin in the
  // next one, uncounted there: that window could then see more than `limit` starts. The count moves there, once (a
  // window shorter than a round trip keeps the second): given back to the window it missed, taken in the next.
  if (counted.over || windowStartOf(now(), perMs) === windowStartOf(nowMs, perMs)) return counted;
  await redis.sidepunchWindowRelease(keys.limiterWindow(limiter, windowStartOf(nowMs, perMs)));
  return countInWindow(redis, keys, limit.limit, perMs, limiter, now());
}

function windowStartOf(nowMs: number, perMs: number): number {
  return Math.floor(nowMs / perMs) * perMs;
}

/** One start counted in the fixed window holding `nowMs`, if it has room (window-acquire.lua). */
async function countInWindow(
  redis: RedisConnection,
  keys: Keys,
  limit: number,
  perMs: number,
  limiter: string,
  nowMs: number,
): Promise<Tried> {
  const windowStart = windowStartOf(nowMs, perMs);
  const windowKey = keys.limiterWindow(limiter, windowStart);
  const leftMs = windowStart + perMs - nowMs;
  // The counter outlives its window by one window, so what it counted can still be read (the Limiters page).
  const keepMs = Math.ceil(leftMs + perMs);
  if ((await redis.sidepunchWindowAcquire(windowKey, limit, keepMs)) === 1) return { over: false };
  return { over: true, untilRoomMs: leftMs };
}

/**
 * Keeps `lease` while its holder runs: its expiry pushed `leaseMs` past `now()` every third of that
 * (concurrent-renew.lua), so only a holder that dies lets it lapse. Returns the stop, to call before releasing it.
 * A renewal Redis refuses is dropped: the next one, or the lease's own expiry, follows.
 */
export function keepLease(redis: RedisConnection, lease: Lease, now: () => number): () => void {
  const timer = setInterval(() => {
    redis
      .sidepunchConcurrentRenew(lease.key, lease.holder, now() + lease.leaseMs, lease.leaseMs)
      .catch(() => {});
  }, lease.leaseMs / 3);
  timer.unref();
  return () => clearInterval(timer);
}
