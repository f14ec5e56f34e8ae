/**
 * Reads sent together: one pipeline on one Redis (a single round trip), and on a Redis Cluster each command on its
 * own, all at once, since a cluster pipeline must stay within one slot and reads of queues, processes and counters
 * spread over many. Either way `exec()` answers `[error, reply]` per command, in order, as a pipeline does.
 */
import type { ClientContext, RedisCommander, Result } from 'ioredis';
import { isCluster, type RedisConnection } from './redis-connection.js';

/** One read, queued on a pipeline or sent on a connection: the same call either way. */
type Read = <Context extends ClientContext>(commander: RedisCommander<Context>) => Result<unknown, Context>;

export type ReadReply = [error: Error | null, reply: unknown];

export function readBatch(redis: RedisConnection): ReadBatch {
  return new ReadBatch(redis);
}

/** The reads the data API batches, chained as on a pipeline. */
export class ReadBatch {
  private readonly reads: Read[] = [];

  constructor(private readonly redis: RedisConnection) {}

  get(key: string): this {
    return this.add((on) => on.get(key));
  }

  /** GET as bytes, for binary values (a BITFIELD's counters). */
  getBuffer(key: string): this {
    return this.add((on) => on.getBuffer(key));
  }

  hget(key: string, field: string): this {
    return this.add((on) => on.hget(key, field));
  }

  hmget(key: string, ...fields: string[]): this {
    return this.add((on) => on.hmget(key, ...fields));
  }

  hgetall(key: string): this {
    return this.add((on) => on.hgetall(key));
  }

  llen(key: string): this {
    return this.add((on) => on.llen(key));
  }

  lindex(key: string, index: number): this {
    return this.add((on) => on.lindex(key, index));
  }

  scard(key: string): this {
    return this.add((on) => on.scard(key));
  }

  sismember(key: string, member: string): this {
    return this.add((on) => on.sismember(key, member));
  }

  zcard(key: string): this {
    return this.add((on) => on.zcard(key));
  }

  async exec(): Promise<ReadReply[]> {
    const redis = this.redis;
    if (!isCluster(redis)) {
      const pipeline = redis.pipeline();
      for (const read of this.reads) read(pipeline);
      return (await pipeline.exec()) ?? [];
    }
    return Promise.all(
      this.reads.map((read) =>
        read<{ type: 'default' }>(redis).then(
          (reply): ReadReply => [null, reply],
          (error: Error): ReadReply => [error, null],
        ),
      ),
    );
  }

  private add(read: Read): this {
    this.reads.push(read);
    return this;
  }
}

/** GET of many keys: one MGET on one Redis; on a cluster, one GET per key (MGET must stay within one slot). */
export function getMany(redis: RedisConnection, keys: readonly string[]): Promise<(string | null)[]> {
  if (!isCluster(redis)) return redis.mget(...keys);
  return Promise.all(keys.map((key) => redis.get(key)));
}
