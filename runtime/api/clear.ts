/**
 * Clearing a queue or a sorted set of jobs (`clear()`, the dashboard's Delete all) as Sidekiq does, except that the
 * unique locks the cleared jobs hold are released, as deleting one job releases its own (docs/unique-and-limits.md).
 * Reading the entries is what that costs, so they are taken in pages from the oldest end, each page read and
 * removed in one MULTI (a lock is never released for a job left in place, and a queue of millions is never one
 * reply); the count at the start bounds the pages, and whatever arrived meanwhile goes in the last step, with the
 * key itself.
 */
import type { ChainableCommander } from 'ioredis';
import { SlotBatch } from '../redis/slot-batch.js';
import type { ApiConnection } from './api-connection.js';
import { releaseUniqueLocksOf } from './unique-lock.js';

const PAGE = 1_000;

/** How to take entries from one kind of key, oldest first, the reading command first. */
export interface EntryOrder {
  size(connection: ApiConnection, key: string): Promise<number>;
  takeOldest(multi: ChainableCommander, key: string, count: number): void;
  takeAll(multi: ChainableCommander, key: string): void;
}

/** A queue: the oldest job is at the end (Sidekiq pushes at the head). */
export const LIST_ORDER: EntryOrder = {
  size: ({ redis }, key) => redis.llen(key),
  takeOldest: (multi, key, count) => void multi.lrange(key, -count, -1).ltrim(key, 0, -count - 1),
  takeAll: (multi, key) => void multi.lrange(key, 0, -1).unlink(key),
};

/** The schedule, retry and dead sets: lowest score first. */
export const SORTED_SET_ORDER: EntryOrder = {
  size: ({ redis }, key) => redis.zcard(key),
  takeOldest: (multi, key, count) => void multi.zrange(key, 0, count - 1).zremrangebyrank(key, 0, count - 1),
  takeAll: (multi, key) => void multi.zrange(key, 0, -1).unlink(key),
};

/**
 * Removes every entry of `key` and releases the unique locks their jobs hold. `alongside` queues writes for the
 * last step (a queue's entry in `queues`): one MULTI with the key's removal on one Redis.
 */
export async function clearReleasingLocks(
  connection: ApiConnection,
  key: string,
  order: EntryOrder,
  alongside: (batch: SlotBatch) => void = () => {},
): Promise<void> {
  let left = await order.size(connection, key);
  while (left > 0) {
    const batch = new SlotBatch(connection.redis);
    order.takeOldest(batch.on(key), key, Math.min(PAGE, left));
    const taken = await entriesTaken(batch, key);
    if (taken.length === 0) break;
    left -= taken.length;
    await releaseUniqueLocksOf(connection, taken);
  }
  const batch = new SlotBatch(connection.redis);
  order.takeAll(batch.on(key), key);
  alongside(batch);
  await releaseUniqueLocksOf(connection, await entriesTaken(batch, key));
}

/** Runs `batch`; the entries its read of `key` (the first command on that key) returned. */
async function entriesTaken(batch: SlotBatch, key: string): Promise<string[]> {
  const replies = await batch.exec();
  return (replies.get(batch.on(key))?.[0] as string[] | undefined) ?? [];
}
