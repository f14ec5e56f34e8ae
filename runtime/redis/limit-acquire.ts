/**
 * One try at a limiter, whatever its kind (the scripts *-acquire.lua): admitted, with a release for a concurrent
 * lease, or over the limit with the milliseconds until it has room when the kind knows them. Shared by the
 * declarative `limit` option (server/job-limits.ts) and `Limiter.within` (client/limiter.ts).
 */
import { DEFAULT_LEASE_SECONDS, type LimitOptions } from '../core/limit.js';
import type { Keys } from './keys.js';
import type { RedisConnection } from './redis-connection.js';

export type Tried =
  | { readonly over: false; readonly release?: { readonly key: string; readonly holder: string } }
  | { readonly over: true; readonly untilRoomMs: number };

/** `limiter` is the limiter's name with its key; `holder` names a concurrent lease (a jid, or a random id). */
export async function tryAcquire(
  redis: RedisConnection,
  keys: Keys,
  limit: LimitOptions,
  limiter: string,
  holder: string,
  nowMs: number,
): Promise<Tried> {
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
      ? { over: false, release: { key: leases, holder } }
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
  const windowStart = Math.floor(nowMs / perMs) * perMs;
  const windowKey = keys.limiterWindow(limiter, windowStart);
  const leftMs = windowStart + perMs - nowMs;
  // The counter outlives its window by one window, so what it counted can still be read (the Limiters page).
  const keepMs = Math.ceil(leftMs + perMs);
  if ((await redis.sidepunchWindowAcquire(windowKey, limit.limit, keepMs)) === 1) return { over: false };
  return { over: true, untilRoomMs: leftMs };
}
