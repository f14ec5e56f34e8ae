/**
 * A fetch after a reconnect first adopts the jobs a lost reply left in the in-progress lists, then takes only what
 * is still missing: the buffer keeps its size (the prefetch's bound, 16 MB of payloads among others) when a process
 * comes back from an outage.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../runtime/core/clock.js';
import { LineLogger } from '../../runtime/core/logger.js';
import { Keys } from '../../runtime/redis/keys.js';
import { openRedis, type RedisConnection } from '../../runtime/redis/redis-connection.js';
import { withScripts } from '../../runtime/redis/scripts.js';
import type { RuntimeContext } from '../../runtime/server/actor-context.js';
import { RuntimeEvents } from '../../runtime/server/events.js';
import { Fetcher } from '../../runtime/server/fetcher.js';
import { queueOrder } from '../../runtime/server/queue-order.js';
import { resolveConfig } from '../../runtime/server/run-config.js';
import { HeldJobs } from '../../runtime/server/unit-of-work.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
});
afterAll(() => destroyRedisServer(server));

const payload = (tag: string) => JSON.stringify({ class: 'NoOp', args: [tag], jid: tag, queue: 'a' });

async function fetcherOn(queueFlags: string[]) {
  const config = resolveConfig(
    { registryPath: '(test registry)', redis: server.url, concurrency: '5', queues: queueFlags },
    {},
  );
  const connections: RedisConnection[] = [];
  const open = (role: string) => {
    const connection = openRedis(server.url, { role, maxRetriesPerRequest: null });
    connections.push(connection);
    return connection;
  };
  const shared = withScripts(open('fetch'));
  const ctx: RuntimeContext = {
    config,
    redis: shared,
    openConnection: open,
    keys: Keys.for(shared, config.namespace),
    clock: new FakeClock(Date.UTC(2026, 11, 1)),
    logger: new LineLogger('error', { write: () => {} }),
    events: new RuntimeEvents(),
    identity: 'test-host:1:adoption',
  };
  const fetcher = new Fetcher(
    ctx,
    queueOrder(config.queues, () => 0.1, config.queuesFrom),
    new HeldJobs(),
  );
  await new Promise((resolve) => shared.once('ready', resolve));
  return {
    fetcher,
    inProgress: ctx.keys.inProgress(ctx.identity, 'a'),
    /** What a lost connection does: reconnected, every in-progress list is to be adopted. */
    reconnect: async () => {
      const ready = new Promise((resolve) => shared.once('ready', resolve));
      shared.disconnect(true);
      await ready;
    },
    close: () => {
      for (const connection of connections) connection.disconnect();
    },
  };
}

describe('a fetch after a reconnect', () => {
  for (const [order, flags] of [
    ['strict', ['a', 'b']],
    ['weighted', ['a,2', 'b,1']],
  ] as const) {
    it(`takes the adopted jobs and only what is missing beside them (${order} order)`, async () => {
      await redis.flushall();
      const { fetcher, inProgress, reconnect, close } = await fetcherOn([...flags]);
      try {
        const stranded = Array.from({ length: 8 }, (_, i) => payload(`stranded-${i}`));
        await redis.lpush(inProgress, ...stranded);
        await redis.lpush('queue:a', ...Array.from({ length: 20 }, (_, i) => payload(`queued-${i}`)));
        await reconnect();

        const units = await fetcher.fetch(10);
        expect(units).toHaveLength(10);
        expect(units.slice(0, 8).map((unit) => unit.raw)).toEqual(stranded);
        expect(await redis.llen('queue:a')).toBe(18);
        expect(await redis.llen(inProgress)).toBe(10);
      } finally {
        close();
      }
    });
  }
});
