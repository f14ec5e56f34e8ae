/**
 * Batches (docs/batches.md), as the data API and the Batches page show them: description, total, pending,
 * failures and the failed members, the dead ones, when each event fired, and the parent. Read from the batch's hash
 * and member sets; a batch whose keys expired (30 days) is gone from the list.
 */
import { toEpochSeconds } from '../core/job.js';
import type { ApiConnection } from './api-connection.js';

export interface BatchRecord {
  readonly bid: string;
  readonly description: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Members ever added: jobs, and each child batch as one. */
  readonly total: number;
  /** Members that have not succeeded. */
  readonly pending: number;
  /** Members that failed and have not succeeded since. */
  readonly failures: number;
  /** Those members (jids; `batch:<bid>` for a child batch), sorted. */
  readonly failedMembers: readonly string[];
  /** Members that went to the dead set (a child batch: one of its jobs did). */
  readonly deadMembers: readonly string[];
  /** Jobs blocks running now (not those the batch's own jobs opened): complete and success wait for them. */
  readonly open: number;
  /** The batch this one is a member of. */
  readonly parent?: string;
  /** When each event fired, epoch seconds. */
  readonly completeAt?: number;
  readonly successAt?: number;
  readonly deathAt?: number;
  /** The events that have a callback. */
  readonly callbacks: readonly ('complete' | 'success' | 'death')[];
  /** Seconds until its keys expire (-1: no expiry). */
  readonly expiresIn: number;
}

/** Most batches a listing reads. */
const LIST_LIMIT = 500;

export class BatchSet {
  constructor(private readonly connection: ApiConnection) {}

  /** One batch, or undefined when it does not exist (expired, or never saved). */
  async get(bid: string): Promise<BatchRecord | undefined> {
    const { redis, keys } = this.connection;
    const [hash, pending, failed, dead, ttl] = await Promise.all([
      redis.hgetall(keys.batch(bid)),
      redis.scard(keys.batchPending(bid)),
      redis.smembers(keys.batchFailed(bid)),
      redis.smembers(keys.batchDead(bid)),
      redis.ttl(keys.batch(bid)),
    ]);
    if (hash.created_at === undefined) return undefined;
    const time = (field: string) =>
      hash[field] === undefined ? undefined : toEpochSeconds(Number(hash[field]));
    const callbacks = (['complete', 'success', 'death'] as const).filter((event) => `cb_${event}` in hash);
    return {
      bid,
      description: hash.description ?? '',
      createdAt: time('created_at') ?? 0,
      total: Number(hash.total ?? 0),
      pending,
      failures: failed.length,
      failedMembers: failed.sort(),
      deadMembers: dead.sort(),
      open: Number(hash.open ?? 0),
      ...(hash.parent ? { parent: hash.parent } : {}),
      ...(hash.complete_at !== undefined ? { completeAt: time('complete_at') } : {}),
      ...(hash.success_at !== undefined ? { successAt: time('success_at') } : {}),
      ...(hash.death_at !== undefined ? { deathAt: time('death_at') } : {}),
      callbacks,
      expiresIn: ttl,
    };
  }

  /** The batches, newest first (at most 500); expired ones are dropped from the index as they are met. */
  async all(limit = LIST_LIMIT): Promise<BatchRecord[]> {
    const { redis, keys } = this.connection;
    const bids = await redis.zrevrange(keys.batches, 0, limit - 1);
    const records: BatchRecord[] = [];
    const gone: string[] = [];
    for (const bid of bids) {
      const record = await this.get(bid);
      if (record) records.push(record);
      else gone.push(bid);
    }
    if (gone.length > 0) await redis.zrem(keys.batches, ...gone);
    return records;
  }
}
