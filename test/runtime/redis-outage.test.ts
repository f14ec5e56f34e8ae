import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/index.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { PROBE_REGISTRY, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';

let server: RedisServer;
let redis: Redis;
let runtime: RuntimeProcess | undefined;

beforeAll(async () => {
  server = await startRedisServer({ persistent: true });
});
afterAll(() => destroyRedisServer(server));
beforeEach(async () => {
  redis = server.connect();
  await redis.flushall();
});
afterEach(async () => {
  await runtime?.stop('SIGKILL');
  runtime = undefined;
});

describe('when Redis goes away', () => {
  it('stopped and restarted mid-run: the runtime says so once, reconnects, and loses no job', async () => {
    const client = new Client({ redis: server.url });
    const jids = await client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 4000 }, () => ['slow', 2, 'outage']),
    });
    await client.close();
    runtime = startRuntime(server.url, ['-c', '20', '--log-level', 'info', PROBE_REGISTRY]);
    await waitUntil('some jobs done', async () => (await redis.llen('probe:done:outage')) >= 500);

    await server.stop();
    await runtime.waitForLine(/WARN: fetch: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+\/0/);
    await server.restart();
    redis = server.connect();
    await runtime.waitForLine(/INFO: fetch: connected to Redis at .* again/);
    await waitUntil(
      'every job done',
      async () => new Set(await redis.lrange('probe:done:outage', 0, -1)).size >= 4000,
    );

    const done = await redis.lrange('probe:done:outage', 0, -1);
    expect(new Set(done)).toEqual(new Set(jids));
    console.log(`redis restart: ${jids.length} jobs, ${done.length - jids.length} ran twice, 0 lost`);
    expect(runtime.output().match(/lost the connection to Redis/g)?.length).toBeLessThanOrEqual(4); // one per connection
    expect(runtime.child.exitCode).toBeNull();
    await waitUntil('the queue and in-progress lists empty', async () => {
      const [queued, inProgress] = await Promise.all([
        redis.llen('queue:default'),
        redis.keys('sidepunch:in-progress:*'),
      ]);
      if (queued !== 0) return false;
      for (const key of inProgress) if ((await redis.llen(key)) > 0) return false;
      return true;
    });
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });

  it('unreachable at start: one clear line, then it connects by itself and works', async () => {
    await server.stop();
    runtime = startRuntime(server.url, [PROBE_REGISTRY]);
    await runtime.waitForLine(
      /WARN: fetch: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(ECONNREFUSED\); retrying/,
    );
    await server.restart();
    redis = server.connect();
    await runtime.waitForLine(/connected to Redis at .* again/);
    const client = new Client({ redis: server.url });
    await client.push({ class: 'Probe', args: ['ok', 'late'] });
    await client.close();
    await waitUntil('the job', async () => (await redis.llen('probe:done:late')) === 1);
    expect(runtime.output().match(/cannot reach Redis/g)).toHaveLength(1);
  });
});
