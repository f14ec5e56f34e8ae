/**
 * The testing modes' unique locks: what `unique:<digest>` holds in Redis (the holder's jid, an expiry), in memory,
 * so a second push of a unique job is dropped in fake and inline mode too, with the same outcome. Released as the
 * runtime releases them: at start or at success (perform-job.ts), by `clear`/`clearAll`, or when `for` lapses.
 */
import { processWide } from '../core/process-wide.js';

interface Lock {
  readonly jid: string;
  /** Epoch ms it lapses at. */
  readonly until: number;
}

// One table per process, whichever copy of sidepunch/testing pushed (core/process-wide.ts).
const locks = processWide<{ held: Map<string, Lock> }>('testingUniqueLocks', () => ({ held: new Map() }));

/** Takes the lock for `jid`; returns the jid that holds it instead, or undefined when taken. */
export function takeTestingLock(
  digest: string,
  jid: string,
  ms: number,
  now = Date.now(),
): string | undefined {
  const lock = locks.held.get(digest);
  if (lock && lock.until > now) return lock.jid;
  locks.held.set(digest, { jid, until: now + ms });
  return undefined;
}

/** Releases the lock if `jid` holds it (a job never frees a newer copy's lock). */
export function releaseTestingLock(digest: string, jid: string | undefined): void {
  if (locks.held.get(digest)?.jid === jid) locks.held.delete(digest);
}

export function clearTestingLocks(): void {
  locks.held.clear();
}
