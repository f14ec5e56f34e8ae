/**
 * The dashboard's HTTP server (node:http): authentication, the CSRF check on every POST, security headers, the
 * static assets, and dispatch to the page handlers in routes.ts. Handlers only read and change Redis through the
 * data API; everything about HTTP stays here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { SidepunchApi } from '../api/api.js';
import type { Clock } from '../clock.js';
import { DEFAULT_REDIS_URL, type RedisTarget } from '../redis/connection.js';
import type { Registry } from '../registry.js';
import { SCRIPT, STYLE } from './assets.js';
import { Authenticator, type AuthSettings, TOKEN_COOKIE } from './auth.js';
import type { WebContext, WebResponse, WebSettings } from './context.js';
import { WebError } from './context.js';
import { CSRF_COOKIE, csrfRefusal, newCsrfToken, parseCookies } from './csrf.js';
import { redisLabel } from './format.js';
import { errorPage } from './layout.js';
import { matchRoute } from './routes.js';

export interface WebServerOptions {
  /** A URL, ioredis options or a connection you own. Default: `REDIS_URL`, else local. */
  readonly redis?: RedisTarget | Redis;
  readonly namespace?: string;
  /** Default 9292, as Sidekiq's Web UI under rackup; 0 takes any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. Anything else exposes the dashboard to the network: set `auth`. */
  readonly host?: string;
  readonly auth?: AuthSettings;
  /** The registry from sidepunch-gen, to name each job's arguments. */
  readonly registry?: Registry;
  readonly clock?: Clock;
  /** Seconds between live updates. Default 5; the dashboard's chart polls at the same pace. */
  readonly pollSeconds?: number;
  /** Entries a search reads at most. Default 10,000. */
  readonly searchLimit?: number;
}

export interface WebServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly server: Server;
  close(): Promise<void>;
}

export class WebServerError extends Error {
  override name = 'WebServerError';
}

export const DEFAULT_WEB_PORT = 9292;
export const DEFAULT_WEB_HOST = '127.0.0.1';
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

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const auth = new Authenticator(options.auth ?? {});
  const target = options.redis ?? (process.env.REDIS_URL || DEFAULT_REDIS_URL);
  const api = new SidepunchApi({ redis: target, namespace: options.namespace, clock: options.clock });
  const settings: WebSettings = {
    pollSeconds: options.pollSeconds ?? 5,
    searchLimit: options.searchLimit ?? 10_000,
    redisLabel: redisLabel(target),
    namespace: options.namespace,
  };
  const host = options.host ?? DEFAULT_WEB_HOST;
  const server = createServer((request, response) => {
    handle(request, response, { api, auth, settings, registry: options.registry }).catch((error) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `${error}\n`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host}:${options.port ?? DEFAULT_WEB_PORT}`;
      const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.message;
      reject(new WebServerError(`cannot serve the dashboard on ${where}: ${why}`));
    });
    server.listen(options.port ?? DEFAULT_WEB_PORT, host, () => resolve());
  }).catch(async (error) => {
    await api.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    host,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    },
  };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

interface Shared {
  readonly api: SidepunchApi;
  readonly auth: Authenticator;
  readonly settings: WebSettings;
  readonly registry?: Registry;
}

async function handle(request: IncomingMessage, response: ServerResponse, shared: Shared): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://dashboard');
  const cookies = parseCookies(request.headers.cookie);
  const token = url.searchParams.get('token');
  if (token !== null && request.method === 'GET' && shared.auth.tokenMatches(token)) {
    // The token travels in a URL once; afterwards it lives in a cookie scripts cannot read.
    url.searchParams.delete('token');
    response.setHeader('set-cookie', cookie(TOKEN_COOKIE, token));
    return redirectTo(response, url.pathname + url.search);
  }
  if (shared.auth.check(request, cookies) === 'denied') {
    if (shared.auth.usesBasic)
      response.setHeader('www-authenticate', 'Basic realm="Sidepunch", charset="UTF-8"');
    return send(response, 401, 'text/plain; charset=utf-8', 'authentication required\n');
  }
  if (url.pathname === '/assets/app.css') return send(response, 200, 'text/css; charset=utf-8', STYLE, true);
  if (url.pathname === '/assets/app.js')
    return send(response, 200, 'text/javascript; charset=utf-8', SCRIPT, true);

  const method = request.method === 'HEAD' ? 'GET' : request.method;
  if (method !== 'GET' && method !== 'POST') {
    response.setHeader('allow', 'GET, POST');
    return send(response, 405, 'text/plain; charset=utf-8', `${request.method} is not allowed\n`);
  }
  let csrfToken = cookies[CSRF_COOKIE];
  if (!csrfToken) {
    csrfToken = newCsrfToken();
    response.setHeader('set-cookie', cookie(CSRF_COOKIE, csrfToken));
  }
  const form = method === 'POST' ? await readForm(request) : new URLSearchParams();
  const base = { settings: shared.settings, csrfToken };
  if (form === undefined) return render(response, errorPage(base, 413, 'the form is too large'));
  if (method === 'POST') {
    const refusal = csrfRefusal(request, cookies, form);
    if (refusal)
      return render(response, errorPage(base, 403, `refused: ${refusal}; reload the page and try again`));
  }
  const path = url.pathname;
  const match = matchRoute(method, path);
  if (match === 'wrong-method')
    return render(response, errorPage(base, 405, `${method} ${path} is not allowed`));
  if (!match) return render(response, errorPage(base, 404, `no page at ${path}`));
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
    render(response, await match.handler(context));
  } catch (error) {
    render(response, errorPage(base, ...describeFailure(error, shared.settings)));
  }
}

function describeFailure(error: unknown, settings: WebSettings): [number, string] {
  if (error instanceof WebError) return [error.status, error.message];
  const message = error instanceof Error ? error.message : String(error);
  if (/connect|ECONNREFUSED|ETIMEDOUT|Connection is closed|max retries|Reached the max/i.test(message)) {
    return [503, `Redis is unreachable at ${settings.redisLabel}: ${message.split('\n')[0]}`];
  }
  return [500, `the page failed: ${message.split('\n')[0]}`];
}

function render(response: ServerResponse, result: WebResponse): void {
  if (result.kind === 'redirect') redirectTo(response, result.location);
  else if (result.kind === 'json')
    send(response, 200, 'application/json; charset=utf-8', JSON.stringify(result.body));
  else
    send(response, result.status ?? 200, 'text/html; charset=utf-8', `<!doctype html>\n${result.body.text}`);
}

function redirectTo(response: ServerResponse, location: string): void {
  response.writeHead(303, { ...SECURITY_HEADERS, location });
  response.end();
}

function send(response: ServerResponse, status: number, type: string, body: string, cacheable = false): void {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'content-type': type };
  if (cacheable) headers['cache-control'] = 'public, max-age=300';
  response.writeHead(status, headers);
  response.end(body);
}

function cookie(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The urlencoded body, or undefined when it is larger than a form of ours can be. */
async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
