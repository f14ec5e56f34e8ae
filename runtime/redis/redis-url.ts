/**
 * Reads a Redis URL into ioredis options, the same way for the client, `sidepunch-run --redis` and `REDIS_URL`:
 *   redis://[user:password@]host[:port][/db]            one Redis (rediss:// for TLS)
 *   redis+sentinel://[user:password@]h1:p1,h2:p2/master[/db]   the primary a Sentinel group names (rediss+sentinel://)
 *   redis+cluster://[user:password@]h1:p1,h2:p2         a Redis Cluster, from any of its nodes (rediss+cluster://)
 * Query parameters: tls_ca, tls_cert, tls_key (PEM files), tls_insecure=1, tls_servername, and for Sentinel
 * sentinelUsername / sentinelPassword (the Sentinels' own credentials, when they have any). Anything else is an error.
 * The user and password are percent-decoded, so a password with `@`, `:` or `/` is written `%40`, `%3A`, `%2F`.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export interface RedisEndpoint {
  readonly mode: RedisMode;
  /** The Redis itself (standalone), the Sentinel group's hosts (sentinel) or the cluster's seed nodes. */
  readonly nodes: readonly RedisNode[];
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  /** The Sentinel group's primary name. */
  readonly masterName?: string;
  readonly sentinelUsername?: string;
  readonly sentinelPassword?: string;
  /** TLS settings when the scheme is `rediss…`. */
  readonly tls?: TlsOptions;
}

export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

const SCHEMES: Record<string, { mode: RedisMode; tls: boolean }> = {
  'redis:': { mode: 'standalone', tls: false },
  'rediss:': { mode: 'standalone', tls: true },
  'redis+sentinel:': { mode: 'sentinel', tls: false },
  'rediss+sentinel:': { mode: 'sentinel', tls: true },
  'redis+cluster:': { mode: 'cluster', tls: false },
  'rediss+cluster:': { mode: 'cluster', tls: true },
};

const DEFAULT_PORT = { standalone: 6379, sentinel: 26379, cluster: 6379 } as const;

const QUERY_PARAMS = new Set([
  'tls_ca',
  'tls_cert',
  'tls_key',
  'tls_insecure',
  'tls_servername',
  'sentinelUsername',
  'sentinelPassword',
]);

/**
 * Where the user and password end in what follows the scheme: the last "@" before the query, since a query value
 * may hold one (`tls_ca=/home/u@corp/ca.pem`); the last "@" of all when there is none before the first "?" (a raw
 * "?" in the password). -1: no user.
 */
function userinfoEnd(rest: string): number {
  const query = rest.indexOf('?');
  const beforeQuery = query === -1 ? -1 : rest.lastIndexOf('@', query);
  return beforeQuery !== -1 ? beforeQuery : rest.lastIndexOf('@');
}

/**
 * `redis://alice:secret@host/0` → `redis://alice:***@host/0`; a Sentinel password in the query is hidden too. What
 * is not such a URL (no `://`) shows nothing before its "@": `***@host`.
 */
export function redactUrl(url: string): string {
  let redacted = url.replace(/([?&]sentinelPassword=)[^&#]*/gi, '$1***');
  const start = redacted.indexOf('://');
  if (start === -1) {
    const at = userinfoEnd(redacted);
    return at === -1 ? redacted : `***${redacted.slice(at)}`;
  }
  const afterScheme = userinfoEnd(redacted.slice(start + 3));
  if (afterScheme === -1) return redacted;
  const at = start + 3 + afterScheme;
  const userinfo = redacted.slice(start + 3, at);
  const colon = userinfo.indexOf(':');
  if (colon === -1) return redacted;
  redacted = `${redacted.slice(0, start + 3)}${userinfo.slice(0, colon)}:***${redacted.slice(at)}`;
  return redacted;
}

export function parseRedisUrl(url: string): RedisEndpoint {
  const fail = (why: string): never => {
    throw new RedisUrlError(`bad Redis URL ${redactUrl(url)}: ${why}`);
  };
  const match = /^([a-z+]+:)\/\/(.*)$/i.exec(url.trim());
  if (!match) return fail('expected redis://, rediss://, redis+sentinel:// or redis+cluster://');
  const scheme = SCHEMES[match[1]!.toLowerCase()];
  if (!scheme) return fail(`unknown scheme "${match[1]}"`);
  let rest = match[2]!;
  let userinfo: string | undefined;
  const at = userinfoEnd(rest);
  if (at !== -1) {
    userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const queryStart = rest.indexOf('?');
  const query = new URLSearchParams(queryStart === -1 ? '' : rest.slice(queryStart + 1));
  if (queryStart !== -1) rest = rest.slice(0, queryStart);
  const slash = rest.indexOf('/');
  const hostList = slash === -1 ? rest : rest.slice(0, slash);
  const path = (slash === -1 ? '' : rest.slice(slash + 1)).split('/').filter((part) => part !== '');

  const nodes = hostList === '' ? [] : hostList.split(',').map((host) => parseNode(host, scheme.mode, fail));
  if (nodes.length === 0) {
    if (scheme.mode !== 'standalone') fail('name at least one host:port');
    nodes.push({ host: '127.0.0.1', port: DEFAULT_PORT.standalone });
  }
  if (scheme.mode === 'standalone' && nodes.length > 1)
    fail('several hosts need redis+sentinel:// or redis+cluster://');

  let masterName: string | undefined;
  let dbText: string | undefined;
  if (scheme.mode === 'sentinel') {
    [masterName, dbText] = path;
    if (!masterName)
      fail('name the primary after the hosts, e.g. redis+sentinel://h1:26379,h2:26379/mymaster');
    if (path.length > 2) fail('expected /<primary name>[/<db>] after the hosts');
  } else if (scheme.mode === 'cluster') {
    if (path.length > 0) fail('a cluster has only database 0: no path after the hosts');
  } else {
    if (path.length > 1) fail('expected /<db> after the host');
    dbText = path[0];
  }
  const db = dbText === undefined ? 0 : Number(dbText);
  if (!/^\d+$/.test(dbText ?? '0') || !Number.isSafeInteger(db))
    fail(`database must be a number, not "${dbText}"`);

  for (const name of query.keys()) {
    if (!QUERY_PARAMS.has(name)) fail(`unknown option "${name}" (known: ${[...QUERY_PARAMS].join(', ')})`);
  }
  if (!scheme.tls && [...query.keys()].some((name) => name.startsWith('tls_')))
    fail('tls_* options need a rediss:// URL');
  if (scheme.mode !== 'sentinel' && [...query.keys()].some((name) => name.startsWith('sentinel')))
    fail('sentinelUsername and sentinelPassword need a redis+sentinel:// URL');

  const [username, password] = parseUserinfo(userinfo, fail);
  return {
    mode: scheme.mode,
    nodes,
    username,
    password,
    db,
    masterName,
    sentinelUsername: query.get('sentinelUsername') ?? undefined,
    sentinelPassword: query.get('sentinelPassword') ?? undefined,
    tls: scheme.tls ? tlsOptions(query, fail) : undefined,
  };
}

function parseNode(text: string, mode: RedisMode, fail: (why: string) => never): RedisNode {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d*))?$/.exec(text);
  if (!match) return fail(`"${text}" is not host or host:port`);
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1');
  const port = match[2] ? Number(match[2]) : DEFAULT_PORT[mode];
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`bad port in "${text}"`);
  return { host, port };
}

function parseUserinfo(
  userinfo: string | undefined,
  fail: (why: string) => never,
): [string | undefined, string | undefined] {
  if (userinfo === undefined) return [undefined, undefined];
  const colon = userinfo.indexOf(':');
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return fail('the user or password has a bad %-escape');
    }
  };
  if (colon === -1) return [decode(userinfo) || undefined, undefined];
  return [decode(userinfo.slice(0, colon)) || undefined, decode(userinfo.slice(colon + 1)) || undefined];
}

function tlsOptions(query: URLSearchParams, fail: (why: string) => never): TlsOptions {
  const readPem = (name: string): string | undefined => {
    const file = query.get(name);
    if (file === null) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      return fail(`cannot read ${name} file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  };
  const insecure = query.get('tls_insecure');
  if (insecure !== null && !['1', 'true', '0', 'false'].includes(insecure))
    fail(`tls_insecure must be 1 or 0, not "${insecure}"`);
  const tls: TlsOptions = {};
  const ca = readPem('tls_ca');
  const cert = readPem('tls_cert');
  const key = readPem('tls_key');
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (insecure === '1' || insecure === 'true') tls.rejectUnauthorized = false;
  const servername = query.get('tls_servername');
  if (servername) tls.servername = servername;
  return tls;
}
