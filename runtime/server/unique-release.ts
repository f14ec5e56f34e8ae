/**
 * Releasing unique jobs' locks on the server side (docs/unique-and-limits.md):
 *  1. `until: 'start'`: just before `perform`, by the executor, awaited so a push made during the run enqueues;
 *  2. `until: 'success'`: in the completer's batch, beside the acknowledgement of a job that succeeded;
 *  3. only the job that took a lock releases it (release-lock.lua compares the jid), so a job that outlived its
 *     lock never frees the lock a newer copy holds. Retries and rescues keep the lock; it expires on its own.
 */
import { describeError } from '../core/thrown-value.js';
import { uniqueFieldsOf } from '../core/unique.js';
import type { SlotBatch } from '../redis/slot-batch.js';
import type { RuntimeContext } from './actor-context.js';

/** Step 1: a job released at start lets go of its lock; a failure to do so is logged, the job still runs. */
export async function releaseAtStart(
  ctx: RuntimeContext,
  job: Readonly<Record<string, unknown>>,
): Promise<void> {
  const fields = uniqueFieldsOf(job);
  if (fields?.unique_until !== 'start' || typeof job.jid !== 'string') return;
  const lock = ctx.keys.uniqueLock(fields.unique_digest);
  try {
    await ctx.redis.sidepunchReleaseLock(lock, job.jid);
  } catch (error) {
    ctx.logger.warn(
      `could not release the unique lock at start (it expires on its own): ${describeError(error)}`,
      {
        jid: job.jid,
      },
    );
  }
}

/** Whether a job took a unique lock when it was pushed (whatever it holds it until). */
export function holdsUniqueLock(job: Readonly<Record<string, unknown>>): boolean {
  return job.unique_digest !== undefined;
}

/** Step 2: queue the release of a succeeded job's lock on `batch`, when it holds one until success. */
export function releaseOnSuccess(
  ctx: RuntimeContext,
  batch: SlotBatch,
  job: Readonly<Record<string, unknown>>,
): void {
  if (!holdsUniqueLock(job)) return; // most jobs are not unique
  const fields = uniqueFieldsOf(job);
  if (fields?.unique_until !== 'success' || typeof job.jid !== 'string') return;
  const lock = ctx.keys.uniqueLock(fields.unique_digest);
  batch.script('sidepunchReleaseLock', lock, job.jid);
}
