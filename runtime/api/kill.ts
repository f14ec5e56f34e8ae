/**
 * Moving jobs into the dead set from the API (Sidekiq's `kill`): kill.lua moves the members still there and trims the
 * dead set (on a Redis Cluster, steps that do the same: cross-slot-moves.ts); then the death handlers registered in
 * this process (`onJobDeath`) hear of each job, with the error "Job killed by API", unless `notifyFailure: false`.
 */
import { DEAD_MAX_AGE_SECONDS, DEAD_MAX_JOBS } from '../core/add-to-dead-set.js';
import { notifyDeath } from '../core/handlers.js';
import { parseJob } from '../core/job.js';
import { silentLogger } from '../core/logger.js';
import { isCluster } from '../redis/redis-connection.js';
import type { ApiConnection } from './api-connection.js';
import { killAcrossSlots } from './cross-slot-moves.js';

export interface KillOptions {
  /** Call the death handlers for each job killed. Default: true, as Sidekiq 6.4. */
  readonly notifyFailure?: boolean;
}

export class JobKilledByApi extends Error {
  override name = 'JobKilledByApi';
  constructor() {
    super('Job killed by API');
  }
}

/** Moves each member still in `setKey` to the dead set; resolves to how many moved. */
export async function killFromSet(
  connection: ApiConnection,
  setKey: string,
  values: readonly (string | Buffer)[],
  options: KillOptions = {},
): Promise<number> {
  if (values.length === 0) return 0;
  const { redis, keys, clock } = connection;
  const now = clock.now() / 1000;
  // On a cluster a set other than `dead` is in another slot: the move goes in steps (cross-slot-moves.ts).
  const moved =
    isCluster(redis) && setKey !== keys.dead
      ? await killAcrossSlots(connection, setKey, values, now, {
          olderThan: now - DEAD_MAX_AGE_SECONDS,
          maxJobs: DEAD_MAX_JOBS,
        })
      : await redis.sidepunchKill(
          setKey,
          keys.dead,
          now,
          now - DEAD_MAX_AGE_SECONDS,
          DEAD_MAX_JOBS,
          ...values,
        );
  if (options.notifyFailure ?? true) await notifyKilled(moved);
  return moved.length;
}

export async function notifyKilled(values: readonly string[]): Promise<void> {
  for (const value of values) {
    const parsed = parseJob(value);
    if (parsed.ok) await notifyDeath(parsed.job, new JobKilledByApi(), silentLogger);
  }
}
