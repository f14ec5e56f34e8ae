/**
 * What a page handler gets (the request, already authenticated and CSRF-checked, and the data API) and what it
 * returns: a page, JSON, or a redirect after a POST.
 */
import type { SidepunchApi } from '../api/api.js';
import type { Registry } from '../core/registry.js';
import type { SafeHtml } from './html.js';

export interface WebSettings {
  /** Seconds between live updates of a page, and between the dashboard's /stats polls. */
  readonly pollSeconds: number;
  /** How many entries a search reads at most before it stops and says so. */
  readonly searchLimit: number;
  /** Where the data lives, without credentials, for the footer. */
  readonly redisLabel: string;
  readonly namespace?: string;
}

export interface WebContext {
  readonly api: SidepunchApi;
  readonly registry?: Registry;
  readonly settings: WebSettings;
  readonly method: 'GET' | 'POST';
  /** The decoded path, e.g. `/queues/mail`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The urlencoded POST body (empty for GET). */
  readonly form: URLSearchParams;
  /** The route's captured segments, decoded. */
  readonly params: readonly string[];
  /** For the hidden field of every form this page renders. */
  readonly csrfToken: string;
}

export type WebResponse =
  | { readonly kind: 'page'; readonly status?: number; readonly body: SafeHtml }
  | { readonly kind: 'json'; readonly text: string }
  | { readonly kind: 'redirect'; readonly location: string };

export type Handler = (context: WebContext) => Promise<WebResponse>;

export const page = (body: SafeHtml, status?: number): WebResponse => ({ kind: 'page', body, status });
export const json = (body: unknown): WebResponse => ({ kind: 'json', text: JSON.stringify(body) });
/** After a POST: 303, so a reload does not post again. */
export const redirect = (location: string): WebResponse => ({ kind: 'redirect', location });

/** A request the handler refuses: a page with this status and a one-line reason. */
export class WebError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
