/**
 * The dead set: jobs out of retries, or that could not be performed, by time of death (Sidekiq's `DeadSet`).
 * Entries that are not JSON objects keep their reason in `sidepunch:dead-reasons`, removed with them.
 */
import type { ApiConnection } from './connection.js';
import { JobSet, type SortedEntry } from './job-set.js';

export interface DeathReason {
  readonly errorClass: string;
  readonly errorMessage: string;
}

export class DeadSet extends JobSet {
  constructor(connection: ApiConnection) {
    super(connection, 'dead');
  }

  override async clear(): Promise<void> {
    const { redis, keys } = this.connection;
    await redis.unlink(this.key, keys.deadReasons);
  }

  override async deleteValue(value: string): Promise<boolean> {
    const { redis, keys } = this.connection;
    const replies = await redis.multi().zrem(this.key, value).hdel(keys.deadReasons, value).exec();
    return Number(replies?.[0]?.[1] ?? 0) > 0;
  }

  /** Why an entry that is not a job object died (its payload cannot say); undefined for job objects. */
  async reasonFor(entry: SortedEntry): Promise<DeathReason | undefined> {
    if (entry.isJob) return undefined;
    const stored = await this.connection.redis.hget(this.connection.keys.deadReasons, entry.value);
    if (stored === null) return undefined;
    try {
      const { error_class, error_message } = JSON.parse(stored) as Record<string, unknown>;
      return { errorClass: String(error_class), errorMessage: String(error_message) };
    } catch {
      return undefined;
    }
  }
}
