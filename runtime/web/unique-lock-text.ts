/**
 * A unique job's lock in words (docs/unique-and-limits.md), as the job page and the queue page show it: held by
 * this job (until its start or success, and when it expires), by another copy, or released.
 */
import type { UniqueLockState } from '../api/unique-lock.js';

export function uniqueLockText(lock: UniqueLockState, jid: string | undefined): string {
  if (lock.heldBy === undefined) return 'released or expired';
  if (lock.heldBy !== jid) return `held by another job, ${lock.heldBy}`;
  const expires =
    lock.expiresInMs === undefined ? '' : `, expires in ${Math.ceil(lock.expiresInMs / 1000)} s`;
  return `held by this job until its ${lock.until}${expires}`;
}
