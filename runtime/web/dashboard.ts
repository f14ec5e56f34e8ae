/**
 * The dashboard as a request handler: authentication, the CSRF check on every POST, security headers, the static
 * assets, and dispatch to the page handlers in routes.ts. `startWebServer` serves it on a port; an application can
 * mount it itself (node:http, Express, anything that hands over Node's request and response), under a base path
 * such as `/sidekiq`, as Rails apps mount Sidekiq::Web.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SidepunchApi } from '../api/api.js';
import type { Clock } from '../core/clock.js';
import type { AuthSettings } from '../core/dashboard-access.js';
import type { Registry } from '../core/registry.js';
import { DEFAULT_REDIS_URL, type RedisConnection, type RedisTarget } from '../redis/redis-connection.js';
import { ICON, SCRIPT, STYLE } from './assets.js';
import { Authenticator, TOKEN_COOKIE } from './auth.js';
import { CSRF_COOKIE, csrfRefusal, newCsrfToken, parseCookies } from './csrf.js';
import { redisLabel } from './format.js';
import { errorPage } from './layout.js';
import { isLoopbackHostHeader } from './loopback.js';
import { isPublicHost, type PublicAddress, PublicUrlError, publicAddress } from './public-url.js';
import { matchRoute } from './routes.js';
import { type WebContext, WebError, type WebResponse, type WebSettings } from './web-context.js';

export interface DashboardOptions {
  /** A URL, ioredis options or a connection you own. Default: `REDIS_URL`, else local. */
  readonly redis?: RedisTarget | RedisConnection | undefined;
  readonly namespace?: string | undefined;
  readonly auth?: AuthSettings | undefined;
  /** The registry from sidepunch-gen, to name each job's arguments. */
  readonly registry?: Registry | undefined;
  readonly clock?: Clock | undefined;
  /** Seconds between live updates. Default 5; the dashboard's chart polls at the same pace. */
  readonly pollSeconds?: number | undefined;
  /** Entries a search reads at most. Default 10,000. */
  readonly searchLimit?: number | undefined;
  /** Where the dashboard is mounted, e.g. `/sidekiq`. Default: the public URL's path, else the root. */
  readonly basePath?: string | undefined;
  /**
   * The address, or addresses, a reverse proxy serves the dashboard at, e.g. `https://jobs.example.com/sidekiq`:
   * requests naming it in their Host or Origin header are its own. Default: SIDEPUNCH_WEB_PUBLIC_URL, else none.
   */
  readonly publicUrl?: string | readonly string[] | undefined;
  /**
   * Serve only requests whose Host names this machine: on for a server bound to loopback, so that a site whose
   * name was re-pointed at 127.0.0.1 (DNS rebinding) cannot drive it through a browser.
   */
  readonly loopbackOnly?: boolean | undefined;
}

export interface Dashboard {
  /** Answers one request; usable as a node:http request listener or an Express handler. */
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
  /** Where it is mounted (`/sidekiq`), or '' at the root. */
  readonly basePath: string;
  /** Closes the Redis connection, if the dashboard opened it. */
  close(): Promise<void>;
}

/** Forms here carry ids and a few words; anything bigger is not ours. */
const MAX_BODY_BYTES = 1 << 20;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function createDashboard(options: DashboardOptions = {}): Dashboard {
  const publicAt = publicAddress(options.publicUrl);
  const base = normalizeBase(options.basePath ?? publicAt.path);
  if (publicAt.path !== undefined && normalizeBase(publicAt.path) !== base) {
    throw new PublicUrlError(
      `the public URL's path ${publicAt.path || '/'} is not the base path ${base || '/'}`,
    );
  }
  const target = options.redis ?? (process.env.REDIS_URL || DEFAULT_REDIS_URL);
  const shared: Shared = {
    auth: new Authenticator(options.auth ?? {}),
    api: new SidepunchApi({ redis: target, namespace: options.namespace, clock: options.clock }),
    settings: {
      pollSeconds: options.pollSeconds ?? 5,
      searchLimit: options.searchLimit ?? 10_000,
      redisLabel: redisLabel(target),
      namespace: options.namespace,
    },
    registry: options.registry,
    loopbackOnly: options.loopbackOnly ?? false,
    publicAt,
    base,
  };
  return {
    handle(request, response) {
      const reply = new Reply(response, shared.base);
      handle(request, reply, shared).catch((error) => {
        if (!response.headersSent) reply.send(500, 'text/plain; charset=utf-8', `${error}\n`);
        else response.destroy();
      });
    },
    basePath: base,
    close: () => shared.api.close(),
  };
}

interface Shared {
  readonly api: SidepunchApi;
  readonly auth: Authenticator;
  readonly settings: WebSettings;
  readonly registry?: Registry;
  readonly loopbackOnly: boolean;
  readonly publicAt: PublicAddress;
  /** `/sidekiq`, or '' at the root. */
  readonly base: string;
}

/** `sidekiq/` → `/sidekiq`; `/` or nothing → ''. */
export function normalizeBase(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : '';
}

/**
 * Writes responses. Pages and handlers speak in paths from the dashboard's root (`/retries`); here, on the way out,
 * links, form actions and redirects get the base path. Only attributes of our own markup can match: job content is
 * escaped, so a `"` in it is `&quot;` and never closes an attribute.
 */
class Reply {
  constructor(
    readonly response: ServerResponse,
    private readonly base: string,
  ) {}

  send(status: number, type: string, body: string, cacheable = false): void {
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'content-type': type };
    if (cacheable) headers['cache-control'] = 'public, max-age=300';
    this.response.writeHead(status, headers);
    this.response.end(body);
  }

  page(status: number, markup: string): void {
    const body = this.base
      ? markup.replace(/( (?:href|action|src|data-stats-url)=")\//g, `$1${this.base}/`)
      : markup;
    this.send(status, 'text/html; charset=utf-8', `<!doctype html>\n${body}`);
  }

  redirect(location: string): void {
    this.response.writeHead(303, { ...SECURITY_HEADERS, location: `${this.base}${location}` });
    this.response.end();
  }

  cookie(name: string, value: string): void {
    const cookie = `${name}=${encodeURIComponent(value)}; Path=${this.base || '/'}; HttpOnly; SameSite=Strict`;
    const existing = this.response.getHeader('set-cookie');
    this.response.setHeader('set-cookie', [...(Array.isArray(existing) ? existing : []), cookie]);
  }

  render(result: WebResponse): void {
    if (result.kind === 'redirect') this.redirect(result.location);
    else if (result.kind === 'json') this.send(200, 'application/json; charset=utf-8', result.text);
    else this.page(result.status ?? 200, result.body.text);
  }
}

async function handle(request: IncomingMessage, reply: Reply, shared: Shared): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://dashboard');
  const host = request.headers.host;
  if (shared.loopbackOnly && !isLoopbackHostHeader(host) && !isPublicHost(host, shared.publicAt)) {
    // A page on another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) would pass every other check.
    return reply.send(
      403,
      'text/plain; charset=utf-8',
      'refused: the Host header does not name this machine\n',
    );
  }
  // Mounted by a framework that strips its mount path (Express), the path already starts at the dashboard's root.
  const path = withinBase(url.pathname, shared.base);
  const cookies = parseCookies(request.headers.cookie);
  const token = url.searchParams.get('token');
  if (token !== null && request.method === 'GET' && shared.auth.tokenMatches(token)) {
    // The token travels in a URL once; afterwards it lives in a cookie scripts cannot read.
    url.searchParams.delete('token');
    reply.cookie(TOKEN_COOKIE, token);
    return reply.redirect(`/${path.replace(/^\/+/, '')}${url.search}`);
  }
  if (shared.auth.check(request, cookies) === 'denied') {
    if (shared.auth.usesBasic)
      reply.response.setHeader('www-authenticate', 'Basic realm="Sidepunch", charset="UTF-8"');
    return reply.send(401, 'text/plain; charset=utf-8', 'authentication required\n');
  }
  if (path === '/assets/app.css') return reply.send(200, 'text/css; charset=utf-8', STYLE, true);
  if (path === '/assets/app.js') return reply.send(200, 'text/javascript; charset=utf-8', SCRIPT, true);
  if (path === '/assets/icon.svg') return reply.send(200, 'image/svg+xml', ICON, true);

  const method = request.method === 'HEAD' ? 'GET' : request.method;
  if (method !== 'GET' && method !== 'POST') {
    reply.response.setHeader('allow', 'GET, POST');
    return reply.send(405, 'text/plain; charset=utf-8', `${request.method} is not allowed\n`);
  }
  let csrfToken = cookies[CSRF_COOKIE];
  if (!csrfToken) {
    csrfToken = newCsrfToken();
    reply.cookie(CSRF_COOKIE, csrfToken);
  }
  const form = method === 'POST' ? await readForm(request) : new URLSearchParams();
  const frame = { settings: shared.settings, csrfToken };
  if (form === undefined) return reply.render(errorPage(frame, 413, 'the form is too large'));
  if (method === 'POST') {
    const refusal = csrfRefusal(request, cookies, form, shared.publicAt);
    if (refusal)
      return reply.render(errorPage(frame, 403, `refused: ${refusal}; reload the page and try again`));
  }
  const match = matchRoute(method, path);
  if (match === 'wrong-method')
    return reply.render(errorPage(frame, 405, `${method} ${path} is not allowed`));
  if (!match) return reply.render(errorPage(frame, 404, `no page at ${path}`));
  const context: WebContext = {
    api: shared.api,
    registry: shared.registry,
    settings: shared.settings,
    method,
    path,
    query: url.searchParams,
    form,
    params: match.params,
    csrfToken,
  };
  try {
    reply.render(await match.handler(context));
  } catch (error) {
    reply.render(errorPage(frame, ...describeFailure(error, shared.settings)));
  }
}

/** `/sidekiq/retries` → `/retries` under base `/sidekiq`; a path without the base is taken as already within it. */
function withinBase(pathname: string, base: string): string {
  if (!base) return pathname;
  if (pathname === base) return '/';
  return pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : pathname;
}

function describeFailure(error: unknown, settings: WebSettings): [number, string] {
  if (error instanceof WebError) return [error.status, error.message];
  const message = error instanceof Error ? error.message : String(error);
  if (/CROSSSLOT/.test(message)) {
    return [
      409,
      'in Redis Cluster mode this action would touch keys in different hash slots at once, which it cannot do',
    ];
  }
  if (/connect|ECONNREFUSED|ETIMEDOUT|Connection is closed|max retries|Reached the max/i.test(message)) {
    return [503, `Redis is unreachable at ${settings.redisLabel}: ${message.split('\n')[0]}`];
  }
  return [500, `the page failed: ${message.split('\n')[0]}`];
}

/**
 * The urlencoded body, or undefined when it is too large. A body parser in front of us may have read it already:
 * into fields (express.urlencoded()), or as bytes or text (express.raw(), express.text()). One that did not read it
 * may still leave an empty object behind (Express 4's express.json() on a form), so then the stream is ours to read.
 */
async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const parsed = (request as { body?: unknown }).body;
  if (Buffer.isBuffer(parsed) || typeof parsed === 'string') {
    if (request.readableEnded) return new URLSearchParams(parsed.toString());
  } else if (
    parsed &&
    typeof parsed === 'object' &&
    (request.readableEnded || Object.keys(parsed).length > 0)
  ) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(parsed)) {
      for (const each of [value].flat()) form.append(name, String(each));
    }
    return form;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
