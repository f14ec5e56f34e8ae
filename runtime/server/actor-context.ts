/** What every runtime actor is given: storage, keys, time, logging and events, all injectable. */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Keys } from '../redis/keys.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import type { RuntimeEvents } from './events.js';
import type { RuntimeConfig } from './run-config.js';

export interface RuntimeContext {
  readonly config: RuntimeConfig;
  /** The shared, non-blocking connection, with Sidepunch's scripts (withScripts). */
  readonly redis: RedisConnection;
  /** Opens another connection (blocking commands need their own). */
  readonly openConnection: (role: string) => RedisConnection;
  readonly keys: Keys;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: RuntimeEvents;
  /** `hostname:pid:nonce`, Sidekiq's process identity. */
  readonly identity: string;
}
