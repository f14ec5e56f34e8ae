/**
 * Opens ioredis connections from a URL (see redis-url.ts: one Redis, a Sentinel group or a Cluster, with TLS and
 * ACL users) or options, and reports outages in one line each way (lost, back) instead of one line per failed
 * reconnect. Passwords never reach a log line.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { parseRedisUrl, type RedisEndpoint, redactUrl } from './redis-url.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

export type RedisTarget = string | RedisOptions;

/** An open connection: one Redis (or a Sentinel group's primary), or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

export interface ConnectionOptions {
  /** Who this connection is, for log lines: "client", "fetch", "blocking fetch". */
  role: string;
  logger?: Logger;
  /** Workers wait for Redis forever; clients give up after a few tries so a push fails instead of hanging. */
  maxRetriesPerRequest: number | null;
  /**
   * Reconnect only while this answers true (default: always): for the client's connection, which must not hold an
   * idle process open (client/idle-connection.ts). A Cluster ignores it.
   */
  reconnectWhile?: () => boolean;
}

export function describeTarget(target: RedisTarget): string {
  if (typeof target === 'string') return redactUrl(target);
  if (target.sentinels?.length) {
    const hosts = target.sentinels.map(({ host, port }) => `${host ?? '127.0.0.1'}:${port ?? 26379}`);
    return `redis+sentinel://${hosts.join(',')}/${target.name ?? 'mymaster'}${target.db ? `/${target.db}` : ''}`;
  }
  return `redis://${target.host ?? '127.0.0.1'}:${target.port ?? 6379}/${target.db ?? 0}`;
}

/** Reconnect quickly at first, then every 2 s at most. */
function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
}

/**
 * A connection to the target. In cluster mode the value is an ioredis `Cluster`, which speaks the same commands;
 * the few callers whose commands span keys check `isCluster` and keep each command within one slot.
 */
export function openRedis(target: RedisTarget, options: ConnectionOptions): RedisConnection {
  const common: RedisOptions = {
    maxRetriesPerRequest: options.maxRetriesPerRequest,
    retryStrategy: reconnectDelay,
    enableReadyCheck: true,
    connectionName: `sidepunch-${options.role.replace(/\s+/g, '-')}`,
  };
  let redis: RedisConnection;
  const retries = retryOptions(options, () => failWaiting(redis, options.maxRetriesPerRequest));
  if (typeof target !== 'string') redis = new Redis({ ...target, ...common, ...retries });
  else {
    const endpoint = parseRedisUrl(target);
    redis =
      endpoint.mode === 'cluster'
        ? openCluster(endpoint, common)
        : new Redis({ ...endpointOptions(endpoint), ...common, ...retries });
  }
  watchOutages(redis, describeTarget(target), options);
  return redis;
}

/** Whether `redis` is a Redis Cluster, by ioredis's own flag (which holds across copies of ioredis). */
export function isCluster(redis: RedisConnection): redis is Cluster {
  return redis.isCluster;
}

/** A connection passed in rather than a URL or options to open one. */
export function isRedisConnection(value: unknown): value is RedisConnection {
  return (
    typeof value === 'object' && value !== null && 'pipeline' in value && typeof value.pipeline === 'function'
  );
}

/**
 * How a connection retries. With `reconnectWhile`: ioredis's retry timers (to Redis, to the Sentinels) only while it
 * says so. With a finite `maxRetriesPerRequest`: ioredis fails a command after that many failed reconnects, but
 * while no Sentinel answers it retries inside one connect, where a command would wait for ever (a dashboard page, an
 * API call, a push until its timeout); there the waiting commands fail after as many passes over the Sentinels
 * (`failWaiting`), and the connection goes on retrying, so it works again once a Sentinel answers.
 */
function retryOptions(
  { reconnectWhile, maxRetriesPerRequest }: ConnectionOptions,
  failWaiting: () => void,
): RedisOptions {
  const wanted = reconnectWhile ?? (() => true);
  const sentinelRetryStrategy = (attempt: number) => {
    if (!wanted()) return null;
    if (maxRetriesPerRequest !== null && attempt % (maxRetriesPerRequest + 1) === 0) failWaiting();
    // ioredis's own delay, while wanted.
    return Math.min(attempt * 10, 1000);
  };
  if (!reconnectWhile) return maxRetriesPerRequest === null ? {} : { sentinelRetryStrategy };
  return {
    retryStrategy: (attempt) => (reconnectWhile() ? reconnectDelay(attempt) : null),
    sentinelRetryStrategy,
    // The failover detector leaves out a Sentinel it lost until the next reconnect (its 60 s retry timer would
    // hold the process that long); the other Sentinels still announce a failover.
    sentinelReconnectStrategy: () => null,
  };
}

/**
 * Rejects the commands waiting for a connection with ioredis's MaxRetriesPerRequestError, as ioredis does after
 * failed reconnects, through its flushQueue (private: each step checked, as idle-connection.ts reaches the
 * failover detector; an ioredis without it leaves them waiting).
 */
function failWaiting(redis: RedisConnection, maxRetries: number | null): void {
  const flushQueue: unknown = Reflect.get(redis, 'flushQueue');
  if (typeof flushQueue !== 'function') return;
  const error = new Error(
    `Reached the max retries per request limit (which is ${maxRetries}). Refer to "maxRetriesPerRequest" option for details.`,
  );
  error.name = 'MaxRetriesPerRequestError';
  flushQueue.call(redis, error, { offlineQueue: true, commandQueue: false });
}

/** ioredis options for one Redis or the primary of a Sentinel group. */
function endpointOptions(endpoint: RedisEndpoint): RedisOptions {
  const auth = { username: endpoint.username, password: endpoint.password, db: endpoint.db };
  if (endpoint.mode === 'standalone') {
    const [node] = endpoint.nodes;
    return { ...auth, host: node!.host, port: node!.port, tls: endpoint.tls };
  }
  return {
    ...auth,
    sentinels: endpoint.nodes.map(({ host, port }) => ({ host, port })),
    name: endpoint.masterName,
    sentinelUsername: endpoint.sentinelUsername,
    sentinelPassword: endpoint.sentinelPassword,
    tls: endpoint.tls,
    sentinelTLS: endpoint.tls,
    enableTLSForSentinelMode: endpoint.tls !== undefined,
    // Told by the Sentinels the moment the primary changes, rather than when a command times out.
    failoverDetector: true,
    // A primary demoted to replica answers writes with READONLY: reconnect, which asks the Sentinels again.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
}

function openCluster(endpoint: RedisEndpoint, common: RedisOptions): Cluster {
  const { maxRetriesPerRequest, connectionName } = common;
  return new Cluster(
    endpoint.nodes.map(({ host, port }) => ({ host, port })),
    {
      clusterRetryStrategy: reconnectDelay,
      enableReadyCheck: true,
      redisOptions: {
        username: endpoint.username,
        password: endpoint.password,
        tls: endpoint.tls,
        maxRetriesPerRequest,
        connectionName,
      },
    },
  );
}

function watchOutages(redis: RedisConnection, where: string, options: ConnectionOptions): void {
  let down = false;
  let everReady = false;
  redis.on('error', (error: Error & { code?: string; lastNodeError?: Error & { code?: string } }) => {
    if (down) return;
    down = true;
    // A cluster's "Failed to refresh slots cache." carries the reason (refused, WRONGPASS …) in lastNodeError.
    const cause = error.lastNodeError;
    const reason =
      error.code ??
      (cause ? `${error.message.replace(/\.$/, '')}: ${cause.code ?? cause.message}` : error.message);
    const what = everReady ? 'lost the connection to' : 'cannot reach';
    options.logger?.warn(`${options.role}: ${what} Redis at ${where} (${reason}); retrying with backoff`);
  });
  redis.on('ready', () => {
    if (down) options.logger?.info(`${options.role}: connected to Redis at ${where} again`);
    down = false;
    everReady = true;
  });
}
