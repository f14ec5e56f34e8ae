/**
 * The limiters the fleet uses (docs/unique-and-limits.md), as the Limiters page shows them: name, kind, limit, in use
 * now (leases held for a concurrent limiter, across its keys; starts in the current window for a window limiter; tokens
 * taken and not yet refilled for a token bucket), and how many jobs each rescheduled. Read from `sidepunch:limiters`
 * (written by the processes that use them), the reschedule counters, and the limiters' own keys.
 */
import { type LimitOptions, limiterKey } from '../core/limit.js';
import type { ApiConnection } from './api-connection.js';
import { globEscape, scanKeys } from './limiter-keys.js';

export interface LimiterRecord {
  readonly name: string;
  readonly kind: LimitOptions['kind'];
  readonly limit: number;
  /** The option as declared. */
  readonly options: LimitOptions;
  /** Leases held now (concurrent), starts in the current windows (window), tokens taken (bucket), a start pending (leaky); over its keys. */
  readonly inUse: number;
  /** Keys in use now: 1 without `by`, else one per argument value. */
  readonly keys: number;
  readonly reschedules: number;
}

/** Stands for the values of a keyed limiter while its key is escaped for SCAN: escaping leaves it alone. */
const ANY = '\u0000';

/** A limiter's own key and the keys of its keyed limiters (`<key>:<values>`), as SCAN patterns. */
function withKeyed(key: string): string[] {
  return [globEscape(key), `${globEscape(key)}:*`];
}

export class LimiterSet {
  constructor(private readonly connection: ApiConnection) {}

  async all(): Promise<LimiterRecord[]> {
    const { redis, keys, clock } = this.connection;
    const [declared, counted] = await Promise.all([
      redis.hgetall(keys.limiters),
      redis.hgetall(keys.limiterReschedules),
    ]);
    const records: LimiterRecord[] = [];
    for (const [name, json] of Object.entries(declared).sort(([a], [b]) => a.localeCompare(b))) {
      let options: LimitOptions;
      try {
        options = JSON.parse(json) as LimitOptions;
      } catch {
        continue;
      }
      const nowMs = clock.now();
      let inUse = 0;
      let keyCount = 0;
      if (options.kind === 'concurrent') {
        const found = await scanKeys(redis, withKeyed(keys.limiterLeases(limiterKey(name))));
        for (const key of found) {
          const held = await redis.zcount(key, `(${nowMs}`, '+inf');
          if (held > 0) keyCount++;
          inUse += held;
        }
      } else if (options.kind === 'bucket' || options.kind === 'leaky') {
        const found = await scanKeys(redis, withKeyed(keys.limiterBucket(limiterKey(name))));
        for (const key of found) {
          const used =
            options.kind === 'bucket'
              ? options.limit - Math.floor(await tokensNow(redis, key, options.limit, options.per, nowMs))
              : Number((await redis.get(key)) ?? 0) > nowMs
                ? 1
                : 0;
          if (used > 0) keyCount++;
          inUse += used;
        }
      } else {
        const perMs = (options.per ?? 1) * 1000;
        const windowStart = Math.floor(nowMs / perMs) * perMs;
        const current = keys.limiterWindow(limiterKey(name), windowStart);
        const keyed = keys.limiterWindow(`${limiterKey(name)}:${ANY}`, windowStart);
        const found = await scanKeys(redis, [globEscape(current), globEscape(keyed).replace(ANY, '*')]);
        for (const key of found) {
          const used = Number((await redis.get(key)) ?? 0);
          if (used > 0) keyCount++;
          inUse += used;
        }
      }
      records.push({
        name,
        kind: options.kind,
        limit: options.limit,
        options,
        inUse,
        keys: keyCount,
        reschedules: Number(counted[name] ?? 0),
      });
    }
    return records;
  }
}

/**
 * The tokens a token bucket holds at `nowMs`: those left at its last take plus the refill since, as
 * bucket-acquire.lua counts them (the stored count is the one at the last take).
 */
async function tokensNow(
  redis: ApiConnection['redis'],
  key: string,
  limit: number,
  per: number | undefined,
  nowMs: number,
): Promise<number> {
  const [tokens, at] = await redis.hmget(key, 'tokens', 'at');
  const left = Number(tokens ?? limit);
  const since = nowMs - Number(at ?? nowMs);
  return since > 0 ? Math.min(limit, left + (since * limit) / ((per ?? 1) * 1000)) : left;
}
