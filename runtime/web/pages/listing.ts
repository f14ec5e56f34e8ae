/**
 * What the queue page and the three set pages share: the search form, the line that says what a search covered,
 * the windowing of either a plain listing or a search's matches into pages (25 entries, or Sidekiq's `?count=`), and
 * the way back to the page an action was posted from.
 */
import type { JobRecord } from '../../api/job-record.js';
import { count } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { pageNumber } from '../layout.js';
import { type Filter, filterOf, type SearchResult, search } from '../search.js';
import { type WebContext, WebError } from '../web-context.js';

export const PER_PAGE = 25;
/** The most entries one page shows, however large a `?count=` asks for. */
const MAX_PER_PAGE = 1000;

/** Entries a page shows: Sidekiq's `?count=` (its bookmarks and links carry it), else 25, at most 1,000. */
export function perPage(query: URLSearchParams): number {
  const asked = Number.parseInt(query.get('count') ?? '', 10);
  return Number.isFinite(asked) && asked >= 1 ? Math.min(asked, MAX_PER_PAGE) : PER_PAGE;
}

export function searchForm(path: string, filter: Filter | undefined): SafeHtml {
  return html`<form method="get" action="${path}" class="search" role="search">
<input type="search" name="class" placeholder="Class" value="${filter?.className ?? ''}" aria-label="class">
<input type="search" name="text" placeholder="Text in the arguments" value="${filter?.text ?? ''}" aria-label="text in the arguments">
<button type="submit">Search</button>${filter ? html` <a href="${path}">Clear search</a>` : ''}
</form>`;
}

export function searchSummary<T>(result: SearchResult<T>, total: number): SafeHtml {
  return html`<p class="note" data-testid="search-summary">${count(result.matches.length)} ${result.matches.length === 1 ? 'match' : 'matches'} in ${
    result.complete
      ? html`all ${count(result.scanned)} entries`
      : html`the first ${count(result.scanned)} of ${count(total)} entries (the search limit): narrow it to see more`
  }.</p>`;
}

export interface Window<T> {
  readonly entries: readonly T[];
  /** 1-based. */
  readonly page: number;
  /** What the pages divide: every entry, or every match. */
  readonly total: number;
  readonly filter?: Filter;
  readonly result?: SearchResult<T>;
  /** Index of `entries[0]` in the whole listing (plain listings only). */
  readonly offset: number;
  /** Entries per page (`?count=`). */
  readonly perPage: number;
}

/** One page of a listing, or of the matches of the search in the query. */
export async function listingWindow<T extends JobRecord>(
  context: WebContext,
  total: number,
  readPage: (start: number, count: number) => Promise<T[]>,
  all: () => AsyncIterable<T>,
): Promise<Window<T>> {
  const filter = filterOf(context.query);
  const size = perPage(context.query);
  if (!filter) {
    const page = pageNumber(context.query, total, size);
    const offset = (page - 1) * size;
    return { entries: await readPage(offset, size), page, total, offset, perPage: size };
  }
  const result = await search(all(), filter, context.settings.searchLimit);
  const page = pageNumber(context.query, result.matches.length, size);
  const entries = result.matches.slice((page - 1) * size, page * size);
  return { entries, page, total: result.matches.length, filter, result, offset: 0, perPage: size };
}

/** The listing's path with this request's query (`/retries?page=2`), for a form's `return` field. */
export function hereWithQuery(path: string, query: URLSearchParams): string {
  return `${path}${query.size > 0 ? `?${query}` : ''}`;
}

/** What a query string may hold as URLSearchParams writes it: no control character, space, backslash or `#`. */
const QUERY_TEXT = /^[\w\-.~!$&'()*+,;=:@%/?]*$/;

/**
 * Where an action on checked entries goes back to: the listing, or the page of it the form was on
 * (`/retries?page=2`). Anything else — another site (`//host`, `https:`), a backslash, a CRLF that would split the
 * Location header — is refused before the action runs.
 */
export function returnPath(asked: string | null, listing: string): string {
  if (asked === null || asked === '' || asked === listing) return listing;
  const query = asked.startsWith(`${listing}?`) ? asked.slice(listing.length + 1) : undefined;
  if (query !== undefined && QUERY_TEXT.test(query)) return asked;
  throw new WebError(
    400,
    `refused: the return address must be ${listing} or a page of it (${listing}?page=2)`,
  );
}
