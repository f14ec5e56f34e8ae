/**
 * Reading large structures a page at a time, so a queue or set of a million jobs never sits in memory.
 * Lists and sorted sets are walked in index windows (LRANGE / ZRANGE); sets with SSCAN.
 */
import type { RedisConnection } from '../redis/redis-connection.js';

export const DEFAULT_PAGE_SIZE = 50;

export interface PageOptions {
  /** Entries per round trip. Default 50, as Sidekiq's API. */
  readonly pageSize?: number;
}

export function pageSizeOf(options: PageOptions | undefined): number {
  const size = options?.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError(`pageSize must be a whole number ≥ 1, not ${size}`);
  return size;
}

/**
 * Yields every entry of an index-addressed structure, window after window. Entries the caller removed while
 * walking (`removed()` counts them) shifted the rest towards the start, so the next window starts that much
 * earlier and nothing is skipped. Other changes made meanwhile (jobs pushed, fetched, promoted) may make an entry
 * appear twice or not at all: this is live data, as with Sidekiq's API.
 */
export async function* walkWindows<T>(
  readWindow: (start: number, count: number) => Promise<readonly T[]>,
  pageSize: number,
  removed: () => number,
): AsyncGenerator<T> {
  let yielded = 0;
  for (;;) {
    const window = await readWindow(Math.max(0, yielded - removed()), pageSize);
    for (const entry of window) {
      yield entry;
      yielded++;
    }
    if (window.length < pageSize) return;
  }
}

/** Every member of a SET, read with SSCAN (never one SMEMBERS of an unbounded set). */
export async function scanSetMembers(redis: RedisConnection, key: string): Promise<string[]> {
  const members = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.sscan(key, cursor, 'COUNT', 1000);
    for (const member of batch) members.add(member);
    cursor = next;
  } while (cursor !== '0');
  return [...members];
}

/** A SCAN MATCH pattern that matches `text` literally anywhere in a member. */
export function containsPattern(text: string): string {
  return `*${text.replace(/[*?[\]\\]/g, (char) => `\\${char}`)}*`;
}
