/**
 * What every API object is given: a connection with Sidepunch's scripts, the keys (with the namespace) and a
 * clock. `openApiConnection` makes one from a URL, ioredis options or a connection you own, as `Client` does.
 */
import { type Clock, systemClock } from '../core/clock.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { Keys, namespaceOrEnv } from '../redis/keys.js';
import {
  DEFAULT_REDIS_URL,
  isRedisConnection,
  openRedis,
  type RedisConnection,
  type RedisTarget,
} from '../redis/redis-connection.js';
import { withScripts } from '../redis/scripts.js';

export interface ApiOptions {
  /** A URL (`redis://…`), ioredis options, or a connection you own. Default: `REDIS_URL` or local. */
  readonly redis?: RedisTarget | RedisConnection | undefined;
  /** The namespace the runtime and clients use (`--namespace`). Default: `SIDEPUNCH_NAMESPACE`, else none. */
  readonly namespace?: string | undefined;
  /** For latencies and "now" in kill/retry; tests pass a FakeClock. */
  readonly clock?: Clock | undefined;
}

export interface ApiConnection {
  readonly redis: RedisConnection;
  readonly keys: Keys;
  readonly clock: Clock;
}

export interface OwnedApiConnection extends ApiConnection {
  /** Closes the connection if this API opened it; one you passed in stays open. */
  close(): Promise<void>;
}

/**
 * `role` names the connection in Redis's CLIENT LIST (`sidepunch-api`, `sidepunch-limiter`). `logger`: where its
 * outage lines go (a one-shot command that reports the failure itself passes one that keeps them quiet).
 */
export function openApiConnection(
  options: ApiOptions = {},
  role = 'api',
  logger: Logger = silentLogger,
): OwnedApiConnection {
  const given = options.redis;
  const owned = !isRedisConnection(given);
  const redis = isRedisConnection(given)
    ? given
    : openRedis(given ?? (process.env.REDIS_URL || DEFAULT_REDIS_URL), {
        role,
        logger,
        maxRetriesPerRequest: 2,
      });
  return {
    redis: withScripts(redis),
    keys: Keys.for(redis, namespaceOrEnv(options.namespace)),
    clock: options.clock ?? systemClock,
    async close() {
      if (!owned) return;
      await redis.quit().catch(() => {});
      // After QUIT too: ioredis closes a Sentinel connection's failover detector (a socket per Sentinel, which
      // would hold the process open) only on disconnect.
      redis.disconnect();
    },
  };
}
