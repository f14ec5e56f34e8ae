/**
 * `sidepunch-web`'s flags and environment, resolved and validated once: a flag wins over its environment variable,
 * which wins over the default. Anything wrong is a UsageError with one line (the command exits 2).
 */
import { parseArgs } from 'node:util';
import {
  AUTH_FLAGS,
  AUTH_VARIABLES,
  type AuthNames,
  type AuthSettings,
  authFromEnv,
  DEFAULT_WEB_HOST,
  DEFAULT_WEB_PORT,
} from '../core/dashboard-access.js';
import { DEFAULT_REDIS_URL } from '../redis/redis-connection.js';
import { ConfigError, checkedRedisUrl, portNumber } from '../server/run-config.js';
import { PublicUrlError, publicAddress } from '../web/public-url.js';
import { COMMON_FLAGS, nonEmpty, parsedOrUsageError, UsageError } from './usage.js';

export interface WebCommandOptions {
  readonly port: number;
  readonly host: string;
  readonly auth: AuthSettings;
  readonly redis: string;
  readonly namespace?: string;
  readonly registryPath?: string;
  readonly pollSeconds: number;
  /** Where a reverse proxy forwards it without stripping the prefix, e.g. `/sidekiq`. */
  readonly basePath?: string;
  /** The address(es) a reverse proxy serves it at (`--public-url`, else $SIDEPUNCH_WEB_PUBLIC_URL). */
  readonly publicUrl?: readonly string[];
  /** Log every request (`-v`). */
  readonly verbose: boolean;
  /** How a bad secret is named: by its flag, or by its variable when it came from the environment. */
  readonly authNames: AuthNames;
}

export type WebCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; options: WebCommandOptions };

export const WEB_HELP = `Usage: sidepunch-web [options]

Serves the dashboard: queues, running jobs, the scheduled, retry and dead sets, processes and stats.

Options:
      --port N            the port to listen on (default ${DEFAULT_WEB_PORT}; 0: any free port)
      --host H            the address to bind (default ${DEFAULT_WEB_HOST}); anything else exposes the
                          dashboard to the network: set --auth or --token
      --auth USER:PASS    require HTTP Basic authentication (or $SIDEPUNCH_WEB_AUTH)
      --token T           require "Authorization: Bearer T", or open /?token=T once in a browser
                          (at least 16 characters; or $SIDEPUNCH_WEB_TOKEN)
      --redis URL         Redis to read (default: $REDIS_URL or ${DEFAULT_REDIS_URL})
      --namespace NS      the key prefix your workers use (default: none, or $SIDEPUNCH_NAMESPACE)
      --registry FILE     the registry from sidepunch-gen (e.g. dist/registry.js), to name job arguments
      --poll SECONDS      seconds between the dashboard's live updates (default 5)
      --base-path PATH    serve under PATH (e.g. /sidekiq), for a reverse proxy that forwards it as is
      --public-url URL    the address a reverse proxy serves it at (e.g. https://jobs.example.com/sidekiq;
                          repeatable; or $SIDEPUNCH_WEB_PUBLIC_URL): its Host and Origin are accepted,
                          and its path is the base path
  -v, --verbose           log every request: method, path, status and time taken
  -h, --help              show this help
  -V, --version           show the version

Anyone who can reach the port can delete and retry jobs: outside 127.0.0.1, always use --auth or --token.`;

export function parseWebArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): WebCommand {
  const { values } = parsedOrUsageError(argv, () => parseFlags(argv));
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  try {
    return { kind: 'serve', options: resolveOptions(values, env) };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function resolveOptions(
  values: ReturnType<typeof parseFlags>['values'],
  env: NodeJS.ProcessEnv,
): WebCommandOptions {
  const fromEnv = authFromEnv(env);
  return {
    port: values.port === undefined ? DEFAULT_WEB_PORT : portNumber('port', values.port),
    host: nonEmpty('host', values.host) ?? DEFAULT_WEB_HOST,
    auth: {
      basic: values.auth ?? fromEnv.basic,
      token: values.token ?? fromEnv.token,
    },
    authNames: {
      basic: values.auth === undefined ? AUTH_VARIABLES.basic : AUTH_FLAGS.basic,
      token: values.token === undefined ? AUTH_VARIABLES.token : AUTH_FLAGS.token,
    },
    redis: checkedRedisUrl(values.redis ?? (env.REDIS_URL || DEFAULT_REDIS_URL)),
    namespace: values.namespace ?? (env.SIDEPUNCH_NAMESPACE || undefined),
    registryPath: nonEmpty('registry', values.registry),
    pollSeconds: values.poll === undefined ? 5 : pollSeconds(values.poll),
    basePath: basePath(values['base-path']),
    publicUrl: publicUrls(values['public-url']),
    verbose: values.verbose ?? false,
  };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      auth: { type: 'string' },
      token: { type: 'string' },
      redis: { type: 'string' },
      namespace: { type: 'string' },
      registry: { type: 'string' },
      poll: { type: 'string' },
      'base-path': { type: 'string' },
      'public-url': { type: 'string', multiple: true },
      ...COMMON_FLAGS,
    },
  });
}

function basePath(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\/?[\w.~-]+(\/[\w.~-]+)*\/?$/.test(text)) {
    throw new UsageError(`base-path must be a path such as /sidekiq, not "${text}"`);
  }
  return text;
}

/** The flag's addresses, checked now (one line, exit 2); undefined leaves it to $SIDEPUNCH_WEB_PUBLIC_URL. */
function publicUrls(urls: string[] | undefined): readonly string[] | undefined {
  if (urls === undefined) return undefined;
  try {
    publicAddress(urls);
  } catch (error) {
    if (error instanceof PublicUrlError) throw new UsageError(error.message);
    throw error;
  }
  return urls;
}

/** A browser's timer holds at most 2^31 - 1 ms (24.8 days); a longer delay overflows and polls without pause. */
const MAX_POLL_SECONDS = 86_400;

function pollSeconds(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`poll must be a number of seconds more than 0, not "${text}"`);
  if (value > MAX_POLL_SECONDS)
    throw new UsageError(`poll must be at most ${MAX_POLL_SECONDS} seconds (a day), not "${text}"`);
  return value;
}
