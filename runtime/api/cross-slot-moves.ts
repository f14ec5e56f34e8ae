/**
 * The data API's moves on a Redis Cluster, where a sorted set (`retry`, `schedule`, `dead`) and the queue or dead
 * set a job goes to live in different hash slots, so no one script may touch both (promote.lua and kill.lua do it
 * on one Redis). Each move goes in steps, in the order that can never lose a job:
 *  1. the job is written where it goes (`SADD queues` + `LPUSH queue:<q>`, or `ZADD NX dead`);
 *  2. it leaves its set (`ZREM`), whose reply says whether this call took it;
 *  3. if another caller took it first (two clicks, the scheduler), step 1 is undone (`LREM` of the exact payload
 *     pushed, or `ZREM` of a dead entry this call added).
 * A crash between steps 1 and 2 leaves the job in both places: it runs twice, as a cluster's other cross-slot moves
 * may (scaling.md), and is never lost. A worker that fetched the job in the moment before step 3 runs it as well.
 */
import type { ApiConnection } from './api-connection.js';

export interface QueueMove {
  /** The member as stored in the set (bytes when it is not UTF-8). */
  readonly member: string | Buffer;
  /** What goes onto the queue. */
  readonly payload: string | Buffer;
  readonly queue: string;
}

/** Pushes each job to its queue, then takes it out of `setKey`; how many this call moved. */
export async function repushAcrossSlots(
  connection: ApiConnection,
  setKey: string,
  moves: readonly QueueMove[],
): Promise<number> {
  const { redis, keys } = connection;
  const byQueue = new Map<string, QueueMove[]>();
  for (const move of moves) byQueue.set(move.queue, [...(byQueue.get(move.queue) ?? []), move]);
  await Promise.all(
    [...byQueue].map(async ([queue, queued]) => {
      await redis.sadd(keys.queues, queue);
      await redis.lpush(keys.queue(queue), ...queued.map((move) => move.payload));
    }),
  );
  const taken = await takeFromSet(
    connection,
    setKey,
    moves.map((move) => move.member),
  );
  const lost = moves.filter((_, i) => !taken[i]);
  await Promise.all(lost.map((move) => redis.lrem(keys.queue(move.queue), 1, move.payload)));
  return moves.length - lost.length;
}

/**
 * Adds each member to the dead set at `now`, then takes it out of `setKey`; the members this call moved. The dead
 * set is trimmed afterwards as kill.lua trims it.
 */
export async function killAcrossSlots(
  connection: ApiConnection,
  setKey: string,
  values: readonly (string | Buffer)[],
  now: number,
  trim: { readonly olderThan: number; readonly maxJobs: number },
): Promise<string[]> {
  const { redis, keys } = connection;
  const added = await Promise.all(values.map((value) => redis.zadd(keys.dead, 'NX', now, value)));
  const taken = await takeFromSet(connection, setKey, values);
  const undone = values.filter((_, i) => !taken[i] && Number(added[i]) === 1);
  if (undone.length > 0) await redis.zrem(keys.dead, ...undone);
  await redis.zremrangebyscore(keys.dead, '-inf', trim.olderThan);
  await redis.zremrangebyrank(keys.dead, 0, -trim.maxJobs - 1);
  return values.filter((_, i) => taken[i]).map(String);
}

/** One ZREM per member, all in the set's slot: whether this call took each one. */
async function takeFromSet(
  { redis }: ApiConnection,
  setKey: string,
  members: readonly (string | Buffer)[],
): Promise<boolean[]> {
  const pipeline = redis.pipeline();
  for (const member of members) pipeline.zrem(setKey, member);
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, removed]) => {
    if (error) throw error;
    return removed === 1;
  });
}
