import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/index.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { PROBE_REGISTRY, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';

let server: RedisServer;
let redis: Redis;
let client: Client;
let runtime: RuntimeProcess | undefined;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
});
afterAll(() => destroyRedisServer(server));
beforeEach(async () => {
  await redis.flushall();
  client = new Client({ redis: server.url });
});
afterEach(async () => {
  await client.close();
  await runtime?.stop('SIGKILL');
  runtime = undefined;
});

describe('sidepunch-run performs what the client saved', () => {
  it('runs each of 10,000 bulk-pushed jobs exactly once at -c 10, then stops cleanly on SIGTERM', async () => {
    const jids = await client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 10_000 }, () => ['ok', 'bulk']),
    });
    runtime = startRuntime(server.url, ['-c', '10', '--log-level', 'warn', PROBE_REGISTRY]);
    await waitUntil('10,000 jobs done', async () => (await redis.llen('probe:done:bulk')) >= 10_000);

    const done = await redis.lrange('probe:done:bulk', 0, -1);
    expect(done).toHaveLength(10_000);
    expect(new Set(done)).toEqual(new Set(jids));
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await redis.llen('probe:done:bulk')).toBe(10_000);
    expect(await redis.llen('queue:default')).toBe(0);
    expect(await redis.mget('stat:processed', 'stat:failed')).toEqual(['10000', null]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await redis.get(`stat:processed:${today}`)).toBe('10000');
    expect(await redis.ttl(`stat:processed:${today}`)).toBeGreaterThan(157_000_000);
    // Nothing is left in any in-progress list.
    expect(await redis.keys('sidepunch:in-progress:*')).toEqual([]);
  });

  it('never has more than -c 5 jobs in flight, and does use all 5', async () => {
    await client.pushBulk({ class: 'Probe', args: Array.from({ length: 60 }, () => ['track', 20, 'c5']) });
    runtime = startRuntime(server.url, ['-c', '5', '--log-level', 'warn', PROBE_REGISTRY]);
    await waitUntil('60 jobs done', async () => (await redis.llen('probe:done:c5')) >= 60);
    expect(await redis.get('probe:maxinflight')).toBe('5');
  });

  it('logs one line when each job starts and one when it finishes, with class, jid and elapsed time', async () => {
    runtime = startRuntime(server.url, [PROBE_REGISTRY]);
    await runtime.waitForLine(/starting: concurrency=10 queues=default/);
    const jid = await client.push({ class: 'Probe', args: ['slow', 30, 'log'] });
    const done = await runtime.waitForLine(new RegExp(`jid=${jid} .*INFO: done`));
    expect(done).toMatch(new RegExp(`class=Probe jid=${jid} elapsed=0\\.0[3-9]\\d INFO: done`));
    expect(runtime.output()).toMatch(new RegExp(`class=Probe jid=${jid} INFO: start`));
  });

  it('starts a job pushed to an idle process without waiting for a poll', async () => {
    runtime = startRuntime(server.url, ['-q', 'a', '-q', 'b', PROBE_REGISTRY]);
    await runtime.waitForLine(/starting/);
    // Both queues are idle; each push must be picked up through the blocking fetch.
    for (const queue of ['b', 'a', 'b']) {
      const jid = await client.push({ class: 'Probe', args: ['ok', 'idle'], queue });
      await runtime.waitForLine(new RegExp(`jid=${jid} .*INFO: done`), 5000);
    }
    expect(await redis.llen('probe:done:idle')).toBe(3);
  });
});
