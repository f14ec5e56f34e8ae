/**
 * A unique job's lock as the data API sees it: which lock a job record names, whether that job still holds it
 * (and for how long), and its release when the API deletes the job (docs/unique-and-limits.md).
 */
import { uniqueFieldsOf } from '../core/unique.js';
import type { ApiConnection } from './api-connection.js';
import { JobRecord } from './job-record.js';

export interface UniqueLockState {
  /** The lock's key, with the namespace. */
  readonly key: string;
  readonly until: 'start' | 'success';
  /** The jid holding the lock now, or undefined when nobody does (released or expired). */
  readonly heldBy?: string;
  /** Milliseconds until it expires, when held. */
  readonly expiresInMs?: number;
}

/** The lock `record` names and who holds it now; undefined for a job that is not unique. */
export async function uniqueLockOf(
  connection: ApiConnection,
  record: JobRecord,
): Promise<UniqueLockState | undefined> {
  const fields = uniqueFieldsOf(record.item);
  if (!fields) return undefined;
  const key = connection.keys.uniqueLock(fields.unique_digest);
  const replies = await connection.redis.multi().get(key).pttl(key).exec();
  const holder = replies?.[0]?.[1];
  const ttl = replies?.[1]?.[1];
  if (typeof holder !== 'string') return { key, until: fields.unique_until };
  return {
    key,
    until: fields.unique_until,
    heldBy: holder,
    expiresInMs: typeof ttl === 'number' && ttl >= 0 ? ttl : undefined,
  };
}

/** Releases the lock `record` holds, if it still holds it (a newer copy's lock stays); true when released. */
export async function releaseUniqueLock(connection: ApiConnection, record: JobRecord): Promise<boolean> {
  const fields = uniqueFieldsOf(record.item);
  if (!fields || !record.jid) return false;
  const key = connection.keys.uniqueLock(fields.unique_digest);
  return (await connection.redis.sidepunchReleaseLock(key, record.jid)) === 1;
}

/** Releases the locks the jobs stored as `values` hold (those still theirs), as deleting each one would. */
export async function releaseUniqueLocksOf(
  connection: ApiConnection,
  values: readonly string[],
): Promise<void> {
  const unique = values.filter((value) => value.includes('"unique_digest"'));
  await Promise.all(unique.map((value) => releaseUniqueLock(connection, new JobRecord(value))));
}
