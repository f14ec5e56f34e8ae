/**
 * The frame every page shares (navigation, live-update switch, footer) and the small pieces pages repeat: forms
 * that carry the CSRF token, pagination, the error page.
 */
import { sidepunchVersion } from '../core/version.js';
import { CSRF_FIELD } from './csrf.js';
import { type HtmlValue, html, type SafeHtml } from './html.js';
import { page, type WebResponse, type WebSettings } from './web-context.js';

const NAV: readonly (readonly [string, string])[] = [
  ['/', 'Dashboard'],
  ['/busy', 'Busy'],
  ['/queues', 'Queues'],
  ['/retries', 'Retries'],
  ['/scheduled', 'Scheduled'],
  ['/morgue', 'Dead'],
  ['/metrics', 'Metrics'],
  ['/periodic', 'Periodic'],
  ['/limiters', 'Limiters'],
  ['/batches', 'Batches'],
  ['/workflows', 'Workflows'],
];

export interface PageFrame {
  readonly settings: WebSettings;
  readonly csrfToken: string;
}

export function layout(frame: PageFrame, title: string, active: string, content: HtmlValue): SafeHtml {
  const { settings } = frame;
  const links = NAV.map(
    ([href, label]) =>
      html`<a href="${href}" class="${href === active ? 'active' : ''}"${href === active ? html` aria-current="page"` : ''}>${label}</a>`,
  );
  return html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Sidepunch</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body data-poll-seconds="${settings.pollSeconds}">
<header>
<a class="brand" href="/">Sidepunch</a>
<nav>${links}</nav>
<button type="button" id="live-toggle" class="live" aria-pressed="false" title="Reload this page's data every ${settings.pollSeconds} s">Live</button>
</header>
<main id="content">
${content}
</main>
<footer>
<span>Sidepunch ${sidepunchVersion()}</span>
<span>Redis: ${settings.redisLabel}</span>
${settings.namespace ? html`<span>namespace: ${settings.namespace}</span>` : ''}
</footer>
</body>
</html>`;
}

const ERROR_TITLES: Readonly<Record<number, string>> = {
  403: 'Forbidden',
  404: 'Not found',
  503: 'Redis unreachable',
};

export function errorPage(frame: PageFrame, status: number, message: string): WebResponse {
  const title = ERROR_TITLES[status] ?? 'Error';
  const body = layout(
    frame,
    title,
    '',
    html`<h1>${title}</h1><p class="error" role="alert">${message}</p><p><a href="/">Back to the dashboard</a></p>`,
  );
  return page(body, status);
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

export interface ButtonOptions {
  /** Asked in a confirm dialog before the form is sent. */
  readonly confirm?: string;
  readonly danger?: boolean;
  /** Hidden fields sent with it. */
  readonly fields?: Readonly<Record<string, string>>;
  /** The `name` the button submits (with `value` = label), e.g. `action`. */
  readonly name?: string;
  readonly value?: string;
  readonly disabled?: boolean;
}

/** A one-button form posting to `action`. */
export function postButton(
  frame: PageFrame,
  action: string,
  label: string,
  options: ButtonOptions = {},
): SafeHtml {
  const fields = Object.entries(options.fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return html`<form method="post" action="${action}" class="inline"${options.confirm ? html` data-confirm="${options.confirm}"` : ''}>${csrfField(frame.csrfToken)}${fields}<button type="submit" class="${options.danger ? 'danger' : ''}"${options.name ? html` name="${options.name}" value="${options.value ?? label}"` : ''}${options.disabled ? html` disabled` : ''}>${label}</button></form>`;
}

/** Page links for a listing of `total` entries, `perPage` each; `page` is 1-based. */
export function pagination(
  path: string,
  query: URLSearchParams,
  page: number,
  total: number,
  perPage: number,
): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return html``;
  const link = (to: number, label: string, rel?: string) => {
    const params = new URLSearchParams(query);
    params.set('page', String(to));
    const href = `${path}?${params}`;
    if (to === page) return html`<span class="current" aria-current="page">${label}</span>`;
    return html`<a href="${href}"${rel ? html` rel="${rel}"` : ''}>${label}</a>`;
  };
  const around = [page - 2, page - 1, page, page + 1, page + 2].filter((n) => n >= 1 && n <= pages);
  return html`<nav class="pagination" aria-label="pages">
${page > 1 ? link(page - 1, '‹ Previous', 'prev') : ''}
${around[0]! > 1 ? html`${link(1, '1')}${around[0]! > 2 ? html`<span>…</span>` : ''}` : ''}
${around.map((n) => link(n, String(n)))}
${around.at(-1)! < pages ? html`${around.at(-1)! < pages - 1 ? html`<span>…</span>` : ''}${link(pages, String(pages))}` : ''}
${page < pages ? link(page + 1, 'Next ›', 'next') : ''}
</nav>`;
}

/** The 1-based page number in `?page=`, clamped to what exists. */
export function pageNumber(query: URLSearchParams, total: number, perPage: number): number {
  const asked = Number.parseInt(query.get('page') ?? '1', 10);
  const last = Math.max(1, Math.ceil(total / perPage));
  return Number.isFinite(asked) ? Math.min(Math.max(1, asked), last) : 1;
}
