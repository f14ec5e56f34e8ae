/**
 * Reads sent together: one pipeline on one Redis (a single round trip), and on a Redis Cluster each command on its
 * own, all at once, since a cluster pipeline must stay within one slot and reads of queues, processes and counters
 * spread over many. Either way `exec()` answers `[error, reply]` per command, in order, as a pipeline does.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { isCluster } from './redis-connection.js';

export function readBatch(redis: Redis): ChainableCommander {
  if (!isCluster(redis)) return redis.pipeline();
  const calls: [string, unknown[]][] = [];
  const batch: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_, name) {
      if (name === 'exec') {
        return () =>
          Promise.all(
            calls.map(([command, args]) =>
              (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[command]!(
                ...args,
              ).then(
                (reply) => [null, reply],
                (error: Error) => [error, null],
              ),
            ),
          );
      }
      return (...args: unknown[]) => {
        calls.push([String(name), args]);
        return batch;
      };
    },
  });
  return batch;
}

/** GET of many keys: one MGET on one Redis; on a cluster, one GET per key (MGET must stay within one slot). */
export function getMany(redis: Redis, keys: readonly string[]): Promise<(string | null)[]> {
  if (!isCluster(redis)) return redis.mget(...keys);
  return Promise.all(keys.map((key) => redis.get(key)));
}
