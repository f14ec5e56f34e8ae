/**
 * A periodic enqueuer as one process would run it, on a real Redis, with its own connection, identity and a fake
 * clock the test moves; the test calls begin() and tick() itself (nothing runs on a timer).
 */
import { workerStub } from '../../runtime/client/stub.js';
import type { FakeClock } from '../../runtime/core/clock.js';
import { LineLogger } from '../../runtime/core/logger.js';
import { type PeriodicEntry, type PeriodicOptions, periodic } from '../../runtime/core/periodic.js';
import { Keys } from '../../runtime/redis/keys.js';
import { openRedis, type RedisConnection } from '../../runtime/redis/redis-connection.js';
import { withScripts } from '../../runtime/redis/scripts.js';
import type { RuntimeContext } from '../../runtime/server/actor-context.js';
import { RuntimeEvents } from '../../runtime/server/events.js';
import { PeriodicEnqueuer } from '../../runtime/server/periodic-enqueuer.js';
import { resolveConfig } from '../../runtime/server/run-config.js';

export interface PeriodicProcess {
  readonly enqueuer: PeriodicEnqueuer;
  readonly ctx: RuntimeContext;
  /** Log lines so far. */
  log(): string;
  close(): void;
}

let counter = 0;

export function periodicProcess(
  url: string,
  clock: FakeClock,
  entries: readonly PeriodicEntry[],
  identity = `test-host:${++counter}:periodic`,
): PeriodicProcess {
  let text = '';
  const logger = new LineLogger('info', { write: (chunk: string) => (text += chunk) }, () => clock.now());
  const redis: RedisConnection = withScripts(
    openRedis(url, { role: 'periodic test', logger, maxRetriesPerRequest: null }),
  );
  const ctx: RuntimeContext = {
    config: resolveConfig({ registryPath: '(test registry)', redis: url }, {}),
    redis,
    openConnection: () => {
      throw new Error('not in this test');
    },
    keys: Keys.for(redis),
    clock,
    logger,
    events: new RuntimeEvents(),
    identity,
  };
  return {
    enqueuer: new PeriodicEnqueuer(ctx, entries),
    ctx,
    log: () => {
      logger.flush();
      return text;
    },
    close: () => redis.disconnect(),
  };
}

/** An entry for the probe worker: `['ok', tag]`. */
export function probeEntry(
  name: string,
  cron: string,
  options: PeriodicOptions = {},
  tag = name,
): PeriodicEntry {
  return periodic(name, cron, workerStub<[string, string]>('Probe'), ['ok', tag], options);
}
