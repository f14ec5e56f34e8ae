/**
 * A queue (`queue:<name>`, a LIST with the newest job at index 0 and the next to run at the end), as Sidekiq's
 * `Sidekiq::Queue`: size, latency, lazy iteration newest first, lookup by jid, delete one job, clear.
 */
import type { ApiConnection } from './api-connection.js';
import { clearReleasingLocks, LIST_ORDER } from './clear.js';
import { exactBytesOf } from './exact-values.js';
import { JobRecord, queueLatency } from './job-record.js';
import { type PageOptions, pageSizeOf, scanSetMembers, walkWindows } from './paging.js';
import { releaseUniqueLock } from './unique-lock.js';

export class Queue implements AsyncIterable<QueueJob> {
  /** Every queue in the `queues` set (where clients register them), sorted by name. */
  static async all(connection: ApiConnection): Promise<Queue[]> {
    const names = await scanSetMembers(connection.redis, connection.keys.queues);
    return names.sort().map((name) => new Queue(connection, name));
  }

  readonly key: string;

  constructor(
    readonly connection: ApiConnection,
    readonly name = 'default',
  ) {
    this.key = connection.keys.queue(name);
  }

  size(): Promise<number> {
    return this.connection.redis.llen(this.key);
  }

  /** Seconds since the oldest job (the next to run) was enqueued; 0 for an empty queue. */
  async latency(): Promise<number> {
    const oldest = await this.connection.redis.lindex(this.key, -1);
    return oldest === null ? 0 : queueLatency(oldest, this.connection.clock.now());
  }

  /** `count` jobs from index `start` (0 = the newest), one LRANGE. */
  async page(start: number, count: number): Promise<QueueJob[]> {
    if (count <= 0) return [];
    return this.readWindow(start, count);
  }

  /** Every job, newest first, read `pageSize` at a time. Jobs deleted through it are accounted for. */
  async *jobs(options?: PageOptions): AsyncGenerator<QueueJob> {
    let deleted = 0;
    const onDelete = () => void deleted++;
    const read = (start: number, count: number) => this.readWindow(start, count, onDelete);
    yield* walkWindows(read, pageSizeOf(options), () => deleted);
  }

  [Symbol.asyncIterator](): AsyncIterator<QueueJob> {
    return this.jobs();
  }

  /** The job with this jid, or undefined. Reads the whole queue in pages: slow on a long queue. */
  async findJob(jid: string, options?: PageOptions): Promise<QueueJob | undefined> {
    for await (const job of this.jobs(options)) {
      if (job.value.includes(jid) && job.jid === jid) return job;
    }
    return undefined;
  }

  /**
   * Deletes the whole queue and its entry in `queues`, releasing the unique locks its jobs held (clear.ts); the
   * queue's last entries and its entry in `queues` go in one transaction (on a cluster, one per key).
   */
  async clear(): Promise<void> {
    const { keys } = this.connection;
    await clearReleasingLocks(this.connection, this.key, LIST_ORDER, (batch) => {
      batch.on(keys.queues).srem(keys.queues, this.name);
    });
  }

  /** Removes one job by its exact stored string or bytes; false if it is no longer there (e.g. already fetched). */
  async deleteValue(value: string | Buffer): Promise<boolean> {
    return (await this.connection.redis.lrem(this.key, 1, value)) > 0;
  }

  private async readWindow(start: number, count: number, onDelete?: () => void): Promise<QueueJob[]> {
    const { redis } = this.connection;
    const stop = start + count - 1;
    const values = await redis.lrange(this.key, start, stop);
    const bytes = await exactBytesOf(values, () => redis.lrangeBuffer(this.key, start, stop));
    return values.map((value, i) => new QueueJob(this, value, onDelete, bytes[i]));
  }
}

/** A job waiting in a queue. */
export class QueueJob extends JobRecord {
  constructor(
    readonly parent: Queue,
    value: string,
    private readonly onDelete?: () => void,
    exactBytes?: Buffer,
  ) {
    super(value, parent.name, exactBytes);
  }

  /** Removes this job from its queue, releasing the unique lock it holds; false if it already left. */
  async delete(): Promise<boolean> {
    const removed = await this.parent.deleteValue(this.stored);
    if (removed) await releaseUniqueLock(this.parent.connection, this);
    if (removed) this.onDelete?.();
    return removed;
  }
}
