/**
 * Filtering a queue or a job set by class and by text in the arguments, or a job's whole jid (Sidekiq's Web UI only
 * matches raw substrings of whole payloads, and only in sets). Entries are read in their listing order, a window at
 * a time, up to a limit, so a search of a huge set answers quickly and says how far it got.
 */
import type { JobRecord } from '../api/job-record.js';
import { jsonText } from './format.js';

export interface Filter {
  /** Part of the class name (or display class), any case. */
  readonly className: string;
  /** Part of the arguments' JSON, or the whole jid (the batch and workflow pages link to one), any case. */
  readonly text: string;
  /** Part of the whole payload as stored, case and all: Sidekiq's Web UI's `?substr=`, so its bookmarks work. */
  readonly substring?: string;
}

export interface SearchResult<T> {
  readonly matches: T[];
  /** Entries read. */
  readonly scanned: number;
  /** False when it stopped at the limit before the end. */
  readonly complete: boolean;
}

/** The filter in `?class=&text=` (and Sidekiq's `?substr=`), or undefined when all are empty. */
export function filterOf(query: URLSearchParams): Filter | undefined {
  const className = (query.get('class') ?? '').trim();
  const text = (query.get('text') ?? '').trim();
  const substring = query.get('substr') ?? '';
  if (substring !== '') return { className, text, substring };
  return className || text ? { className, text } : undefined;
}

export function matches(job: JobRecord, filter: Filter): boolean {
  if (filter.substring && !job.value.includes(filter.substring)) return false;
  if (filter.className) {
    const wanted = filter.className.toLowerCase();
    const names = [job.klass, job.displayClass].filter((name) => name !== undefined);
    if (!names.some((name) => name.toLowerCase().includes(wanted))) return false;
  }
  if (filter.text) {
    const wanted = filter.text.toLowerCase();
    const args = job.isJob ? jsonText(job.args) : job.value;
    if (!args.toLowerCase().includes(wanted) && job.jid?.toLowerCase() !== wanted) return false;
  }
  return true;
}

export async function search<T extends JobRecord>(
  entries: AsyncIterable<T>,
  filter: Filter,
  limit: number,
): Promise<SearchResult<T>> {
  const found: T[] = [];
  let scanned = 0;
  for await (const entry of entries) {
    if (scanned >= limit) return { matches: found, scanned, complete: false };
    scanned++;
    if (matches(entry, filter)) found.push(entry);
  }
  return { matches: found, scanned, complete: true };
}
