/**
 * Payloads whose bytes are not valid UTF-8. ioredis decodes every reply as UTF-8 with U+FFFD in place of invalid
 * bytes, so such a payload's string is not what Redis holds: LREM of it removes nothing. Reading every reply as
 * bytes would slow the hot path; instead, a decoded payload without U+FFFD is exact (one scan, which V8 skips
 * for the Latin-1 strings most payloads are), and only for the rare one with U+FFFD is its in-progress list read
 * back as bytes, and the entry whose decoding it is kept on the unit of work.
 */
import { isUtf8 } from 'node:buffer';
import { mayHaveLostBytes } from '../core/lossy-decoding.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { UnitOfWork } from './unit-of-work.js';

/**
 * `units`, all just taken into the in-progress list `inProgressKey`, each given its exact bytes when they are not
 * UTF-8. `holding`: the units already holding entries of that list, whose entries are not to be claimed again.
 */
export async function withExactBytes(
  redis: RedisConnection,
  inProgressKey: string,
  units: readonly UnitOfWork[],
  holding: Iterable<UnitOfWork>,
): Promise<UnitOfWork[]> {
  const lossy = new Set(units.filter((unit) => mayHaveLostBytes(unit.raw)).map((unit) => unit.raw));
  if (lossy.size === 0) return [...units];
  const entries = new Map<string, Buffer[]>();
  for (const entry of await redis.lrangeBuffer(inProgressKey, 0, -1)) {
    const decoded = entry.toString();
    if (lossy.has(decoded)) entries.set(decoded, [...(entries.get(decoded) ?? []), entry]);
  }
  const unclaimed = new Map([...entries].map(([decoded, list]) => [decoded, [...list]]));
  for (const unit of holding) {
    const list = unit.inProgressKey === inProgressKey ? unclaimed.get(unit.raw) : undefined;
    const index = list?.findIndex((entry) => entry.equals(unit.exactBytes ?? Buffer.from(unit.raw))) ?? -1;
    if (index >= 0) list!.splice(index, 1);
  }
  return units.map((unit) => {
    if (!lossy.has(unit.raw)) return unit;
    // None unclaimed: the acknowledgement of an identical entry is being written; any entry of that decoding is it.
    const entry = unclaimed.get(unit.raw)?.shift() ?? entries.get(unit.raw)?.[0];
    if (!entry || isUtf8(entry)) return unit;
    return new UnitOfWork(unit.raw, unit.queue, unit.inProgressKey, entry);
  });
}
