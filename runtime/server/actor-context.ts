/** What every runtime actor is given: storage, keys, time, logging and events, all injectable. */
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Keys } from '../redis/keys.js';
import type { ScriptedRedis } from '../redis/scripts.js';
import type { RuntimeEvents } from './events.js';
import type { RuntimeConfig } from './run-config.js';

export interface RuntimeContext {
  readonly config: RuntimeConfig;
  /** The shared, non-blocking connection. */
  readonly redis: ScriptedRedis;
  /** Opens another connection (blocking commands need their own). */
  readonly openConnection: (role: string) => Redis;
  readonly keys: Keys;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: RuntimeEvents;
  /** `hostname:pid:nonce`, Sidekiq's process identity. */
  readonly identity: string;
}
