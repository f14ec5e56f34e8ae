/**
 * The dead set: jobs out of retries, or that could not be performed, by time of death (Sidekiq's `DeadSet`).
 * Entries that are not JSON objects keep their reason in `sidepunch:dead-reasons`, removed with them.
 */

import { addToDeadSet, trimDeadSet } from '../core/add-to-dead-set.js';
import { SlotBatch } from '../redis/slot-batch.js';
import type { ApiConnection } from './api-connection.js';
import { clearReleasingLocks, SORTED_SET_ORDER } from './clear.js';
import { JobSet, type SortedEntry } from './job-set.js';
import { type KillOptions, notifyKilled } from './kill.js';

export interface DeathReason {
  readonly errorClass: string;
  readonly errorMessage: string;
}

export class DeadSet extends JobSet {
  constructor(connection: ApiConnection) {
    super(connection, 'dead');
  }

  override async clear(): Promise<void> {
    const { keys } = this.connection;
    await clearReleasingLocks(this.connection, this.key, SORTED_SET_ORDER, (batch) => {
      batch.on(keys.deadReasons).unlink(keys.deadReasons);
    });
  }

  override async deleteValue(value: string | Buffer): Promise<boolean> {
    const { redis, keys } = this.connection;
    const batch = new SlotBatch(redis);
    batch.on(this.key).zrem(this.key, value);
    batch.on(keys.deadReasons).hdel(keys.deadReasons, value);
    const replies = await batch.exec();
    return Number(replies.get(batch.on(this.key))?.[0] ?? 0) > 0;
  }

  /**
   * Adds a payload to the dead set now (Sidekiq's `DeadSet#kill`), trimmed to 180 days and 10,000 entries;
   * the death handlers hear of it unless `notifyFailure: false`.
   */
  async kill(value: string, options: KillOptions = {}): Promise<void> {
    const { redis, keys, clock } = this.connection;
    const now = clock.now() / 1000;
    const batch = new SlotBatch(redis);
    addToDeadSet(batch, keys, value, now);
    trimDeadSet(batch, keys, now);
    await batch.exec();
    if (options.notifyFailure ?? true) await notifyKilled([value]);
  }

  /** Removes entries older than 180 days, and all but the newest 10,000. */
  async trim(): Promise<void> {
    const { redis, keys, clock } = this.connection;
    const batch = new SlotBatch(redis);
    trimDeadSet(batch, keys, clock.now() / 1000);
    await batch.exec();
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
