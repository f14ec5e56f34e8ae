/**
 * Opens ioredis connections from a URL or options, and reports outages in one line each way
 * (lost, back) instead of one line per failed reconnect. Passwords never reach a log line.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

export type RedisTarget = string | RedisOptions;

export interface ConnectionOptions {
  /** Who this connection is, for log lines: "client", "fetch", "blocking fetch". */
  role: string;
  logger?: Logger;
  /** Workers wait for Redis forever; clients give up after a few tries so a push fails instead of hanging. */
  maxRetriesPerRequest: number | null;
}

/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

export function describeTarget(target: RedisTarget): string {
  if (typeof target === 'string') return redactUrl(target);
  return `redis://${target.host ?? '127.0.0.1'}:${target.port ?? 6379}/${target.db ?? 0}`;
}

/** Reconnect quickly at first, then every 2 s at most. */
function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
}

export function openRedis(target: RedisTarget, options: ConnectionOptions): Redis {
  const common: RedisOptions = {
    maxRetriesPerRequest: options.maxRetriesPerRequest,
    retryStrategy: reconnectDelay,
    enableReadyCheck: true,
    connectionName: `sidepunch-${options.role.replace(/\s+/g, '-')}`,
  };
  const redis = typeof target === 'string' ? new Redis(target, common) : new Redis({ ...target, ...common });
  watchOutages(redis, describeTarget(target), options);
  return redis;
}

function watchOutages(redis: Redis, where: string, options: ConnectionOptions): void {
  let down = false;
  let everReady = false;
  redis.on('error', (error: Error & { code?: string }) => {
    if (down) return;
    down = true;
    const reason = error.code ?? error.message;
    const what = everReady ? 'lost the connection to' : 'cannot reach';
    options.logger?.warn(`${options.role}: ${what} Redis at ${where} (${reason}); retrying with backoff`);
  });
  redis.on('ready', () => {
    if (down) options.logger?.info(`${options.role}: connected to Redis at ${where} again`);
    down = false;
    everReady = true;
  });
}
