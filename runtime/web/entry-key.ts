/**
 * How a page names one entry of a sorted set: `<score>-<jid>`, as Sidekiq's Web UI does, so links and form
 * values hold identifiers, never job content. The score is printed as JavaScript's shortest round-trip form of the
 * double Redis returned, so parsing it back and asking ZRANGE BYSCORE for exactly that score finds the entry.
 * An entry without a jid (a payload that is not a job, or a job without one) is named by a digest of its bytes
 * instead, here and in a queue's forms.
 */
import { createHash } from 'node:crypto';
import type { JobRecord } from '../api/job-record.js';
import type { JobSet, SortedEntry } from '../api/job-set.js';

const DIGEST_MARK = '~';

export function entryKey(entry: SortedEntry): string {
  return `${String(entry.score)}-${recordId(entry)}`;
}

/** Its jid, or `~` and a digest of its bytes when it has none. */
export function recordId(record: JobRecord): string {
  return record.jid ?? DIGEST_MARK + digest(record.stored);
}

/** Whether `id` (from `recordId`) names this record. */
export function hasId(record: JobRecord, id: string): boolean {
  return record.jid === undefined ? id === recordId(record) : record.jid === id;
}

export interface ParsedKey {
  readonly score: number;
  readonly id: string;
}

export function parseEntryKey(key: string): ParsedKey | undefined {
  const dash = key.indexOf('-', 1);
  if (dash < 0 || dash === key.length - 1) return undefined;
  const score = Number(key.slice(0, dash));
  return Number.isFinite(score) ? { score, id: key.slice(dash + 1) } : undefined;
}

/** The entry a key names, if it is still in the set. */
export async function findByKey(set: JobSet, key: string): Promise<SortedEntry | undefined> {
  const parsed = parseEntryKey(key);
  if (!parsed) return undefined;
  const entries = await set.fetch(parsed.score);
  return entries.find((entry) => hasId(entry, parsed.id));
}

function digest(value: string | Buffer): string {
  return createHash('sha1').update(value).digest('hex').slice(0, 16);
}
