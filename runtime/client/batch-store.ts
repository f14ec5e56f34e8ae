/**
 * Batches kept in Redis (docs/batches.md, docs/redis-format.md): the batch hash, its member sets and the index the
 * data API lists. The runtime settles members in the completer's MULTI (server/batch-outcome.ts); this file is the
 * client's half: creating a batch, opening and closing jobs blocks, and counting pushed jobs in with their push.
 */
import { BATCH_TTL_SECONDS } from '../core/batch-scope.js';
import type { Clock } from '../core/clock.js';
import { formatSeconds } from '../core/job.js';
import type { Keys } from '../redis/keys.js';
import { isCluster, type RedisConnection } from '../redis/redis-connection.js';
import { withScripts } from '../redis/scripts.js';
import { BatchError, type BatchStore, type BlockHold, type NewBatch } from './batch.js';

/** Commands a MULTI or pipeline offers; what `joinBatch` queues on. */
interface Commander {
  sadd(key: string, ...members: string[]): unknown;
  hincrby(key: string, field: string, increment: number): unknown;
  expire(key: string, seconds: number): unknown;
}

/** Queues the commands that make `members` pending members of `bid` (on the push's own MULTI). */
export function joinBatch(multi: Commander, keys: Keys, bid: string, members: readonly string[]): void {
  if (members.length === 0) return;
  const pending = keys.batchPending(bid);
  multi.sadd(pending, ...members);
  multi.expire(pending, BATCH_TTL_SECONDS);
  multi.hincrby(keys.batch(bid), 'total', members.length);
}

/** Undoes joinBatch for members whose push did not happen (a unique job's duplicate). */
export async function leaveBatch(
  redis: RedisConnection,
  keys: Keys,
  bid: string,
  members: readonly string[],
): Promise<void> {
  if (members.length === 0) return;
  await redis
    .multi()
    .srem(keys.batchPending(bid), ...members)
    .hincrby(keys.batch(bid), 'total', -members.length)
    .exec();
}

export function refuseOnCluster(redis: RedisConnection): void {
  if (isCluster(redis)) throw new BatchError('batches are not supported on a Redis Cluster yet');
}

export class RedisBatchStore implements BatchStore {
  constructor(
    private readonly connection: () => { readonly redis: RedisConnection; readonly keys: Keys },
    private readonly clock: Clock,
    private readonly hold: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  ) {}

  create(batch: NewBatch): Promise<void> {
    return this.hold(() => this.save(batch));
  }

  open(bid: string, memberJid?: string): Promise<BlockHold> {
    return this.hold(() => this.reopen(bid, memberJid));
  }

  close(bid: string): Promise<void> {
    return this.hold(() => this.settleBlock(bid));
  }

  private async save(batch: NewBatch): Promise<void> {
    const { redis, keys } = this.connection();
    refuseOnCluster(redis);
    const hash = keys.batch(batch.bid);
    const fields: Record<string, string> = {
      description: batch.description,
      created_at: formatSeconds(batch.createdAt),
      total: '0',
      open: '1',
    };
    if (batch.parent) fields.parent = batch.parent;
    for (const [event, callback] of Object.entries(batch.callbacks)) {
      fields[`cb_${event}`] = callback.payload;
      fields[`cbq_${event}`] = callback.queue;
      fields[`cbj_${event}`] = callback.jid;
    }
    const multi = redis.multi();
    if (batch.parent) joinBatch(multi, keys, batch.parent, [`batch:${batch.bid}`]);
    multi.hset(hash, fields).expire(hash, BATCH_TTL_SECONDS);
    multi.zadd(keys.batches, batch.createdAt, batch.bid);
    multi.zremrangebyscore(keys.batches, '-inf', batch.createdAt - BATCH_TTL_SECONDS);
    await execOrThrow(multi, `could not save batch ${batch.bid}`);
  }

  private async reopen(bid: string, memberJid = ''): Promise<BlockHold> {
    const { redis, keys } = this.connection();
    refuseOnCluster(redis);
    const opened = await withScripts(redis).sidepunchBatchOpen(
      keys.batch(bid),
      keys.batchPending(bid),
      keys.batchFailed(bid),
      keys.batchDead(bid),
      BATCH_TTL_SECONDS,
      memberJid,
    );
    if (opened === 0) throw new BatchError(`batch ${bid} does not exist (it expired, or was never saved)`);
    if (opened === -1) throw new BatchError(`batch ${bid} succeeded already: no job can join it`);
    return opened === 2 ? 'held' : 'counted';
  }

  private async settleBlock(bid: string): Promise<void> {
    const { redis, keys } = this.connection();
    const now = formatSeconds(this.clock.now() / 1000);
    await withScripts(redis).sidepunchBatchSettle(
      keys.queues,
      keys.batchPrefix,
      keys.queuePrefix,
      now,
      bid,
      '',
      'close',
    );
  }
}

async function execOrThrow(multi: { exec(): Promise<[Error | null, unknown][] | null> }, what: string) {
  const results = await multi.exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw new BatchError(`${what}: ${failed?.[0]?.message ?? 'no reply'}`);
}
