/**
 * The one path by which the data API puts jobs from a sorted set back on their queues (retry, add to queue): the
 * same queue push the client and the scheduler make — `enqueued_at` set to now, then `SADD queues` + `LPUSH
 * queue:<q>` — done by promote.lua together with the ZREM, so a job is moved once even if two people click (on a
 * Redis Cluster in steps instead, cross-slot-moves.ts).
 * The payload is edited as text (job-patch), never re-serialised, so arguments keep every byte.
 *
 * Client middleware, when registered in this process, sees each payload before the script runs (origin 'api'); a
 * middleware that stops the push removes the entry, as Sidekiq drops it.
 */

import { jobOf } from '../core/job.js';
import { patchJob } from '../core/job-patch.js';
import { hasClientMiddleware, repushThroughMiddleware } from '../middleware/stored-repush.js';
import { isCluster } from '../redis/redis-connection.js';
import type { ApiConnection } from './api-connection.js';
import { type QueueMove, repushAcrossSlots } from './cross-slot-moves.js';

/** promote.lua moves members scored at or before "now"; the API moves chosen members whatever their score. */
const ANY_SCORE = Number.MAX_VALUE;

export interface Repush {
  /** The member as read: exactly as stored, unless `exactBytes` are given. */
  readonly value: string;
  /** The member's bytes when they are not UTF-8: moved, and pushed with only the patched fields changed. */
  readonly exactBytes?: Buffer;
  /** Sidekiq's "retry now" takes one off `retry_count`, so a manual retry does not use up an attempt. */
  readonly manualRetry: boolean;
}

export class NotAJobError extends Error {
  override name = 'NotAJobError';
}

/** Whether a member is a job object with a usable queue, so it can be pushed. */
export function canQueue(value: string): boolean {
  return !('reason' in jobOf(value));
}

/** What a re-push did: jobs pushed to their queues, and entries that left the set (those, and the ones stopped). */
export interface RepushResult {
  readonly moved: number;
  readonly removed: number;
}

/**
 * Pushes each member to its queue if it is still in `setKey`. A member whose push a client middleware stopped is
 * only removed (a ZREM, whose reply says whether it was still there, so an iterator can account for it).
 */
export async function repushFromSet(
  connection: ApiConnection,
  setKey: string,
  entries: readonly Repush[],
): Promise<RepushResult> {
  const { redis, keys, clock } = connection;
  const now = clock.now() / 1000;
  const moves: QueueMove[] = [];
  const stopped: (string | Buffer)[] = [];
  for (const entry of entries) {
    const job = jobOf(entry.value);
    if ('reason' in job) throw new NotAJobError(`cannot push this entry to a queue: ${job.reason}`);
    const payload = queuePayload(entry.value, entry.manualRetry, now);
    const target = hasClientMiddleware()
      ? await repushThroughMiddleware(payload, job.queue, redis, 'api')
      : { payload, queue: job.queue };
    if ('reason' in target) throw new NotAJobError(`cannot push this entry to a queue: ${target.reason}`);
    if (target.payload === '') {
      stopped.push(entry.exactBytes ?? entry.value);
      continue;
    }
    // Bytes that are not UTF-8 are patched as Latin-1, one character per byte; a middleware's own edit wins.
    const exact =
      entry.exactBytes && target.payload === payload
        ? Buffer.from(queuePayload(entry.exactBytes.toString('latin1'), entry.manualRetry, now), 'latin1')
        : target.payload;
    moves.push({ member: entry.exactBytes ?? entry.value, payload: exact, queue: target.queue });
  }
  const dropped = stopped.length === 0 ? 0 : await redis.zrem(setKey, ...stopped);
  if (moves.length === 0) return { moved: 0, removed: dropped };
  // On a cluster the set and the queues are in different slots: the move goes in steps (cross-slot-moves.ts).
  const moved = isCluster(redis)
    ? await repushAcrossSlots(connection, setKey, moves)
    : await redis.sidepunchPromote(
        2 + moves.length,
        setKey,
        keys.queues,
        ...moves.map((move) => keys.queue(move.queue)),
        String(ANY_SCORE),
        ...moves.flatMap((move) => [move.member, move.payload, move.queue]),
      );
  return { moved, removed: moved + dropped };
}

/** The payload as it goes onto the queue: enqueued now, no `at`, one retry handed back for a manual retry. */
function queuePayload(value: string, manualRetry: boolean, now: number): string {
  const retryCount = manualRetry ? retryCountOf(value) : undefined;
  const changes: Record<string, unknown> = { enqueued_at: now };
  if (retryCount !== undefined) changes.retry_count = retryCount - 1;
  return patchJob(value, changes, ['at']);
}

function retryCountOf(value: string): number | undefined {
  const count = (JSON.parse(value) as { retry_count?: unknown }).retry_count;
  return typeof count === 'number' ? count : undefined;
}
