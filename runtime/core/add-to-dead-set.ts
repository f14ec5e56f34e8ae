/**
 * Adding to the dead set, trimmed as Sidekiq trims it on every add: entries older than 180 days, and all but the
 * newest 10,000, are removed.
 */
import type { Keys } from '../redis/keys.js';
import type { SlotBatch } from '../redis/slot-batch.js';

export const DEAD_MAX_AGE_SECONDS = 180 * 24 * 60 * 60;
export const DEAD_MAX_JOBS = 10_000;

/** Queues the commands that put `member` in the dead set at `now` (epoch seconds). */
export function addToDeadSet(
  batch: SlotBatch,
  keys: Keys,
  /** Bytes for a payload that is not UTF-8, kept as they are. */
  member: string | Buffer,
  now: number,
  /** For members that are not JSON objects, why they died, kept beside them. */
  reason?: { errorClass: string; message: string },
): void {
  batch.on(keys.dead).zadd(keys.dead, now, member);
  if (reason) {
    batch
      .on(keys.deadReasons)
      .hset(
        keys.deadReasons,
        member,
        JSON.stringify({ error_class: reason.errorClass, error_message: reason.message }),
      );
  }
}

/** Queues the trimming commands; once per batch is enough. */
export function trimDeadSet(batch: SlotBatch, keys: Keys, now: number): void {
  batch
    .on(keys.dead)
    .zremrangebyscore(keys.dead, '-inf', now - DEAD_MAX_AGE_SECONDS)
    .zremrangebyrank(keys.dead, 0, -DEAD_MAX_JOBS - 1);
}
