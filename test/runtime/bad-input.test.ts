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

const NOT_JSON = '{"class":"Probe","args":["ok"';
const NOT_AN_OBJECT = '["Probe","ok"]';
const NO_CLASS = '{"args":["ok","x"],"jid":"aaaaaaaaaaaaaaaaaaaaaaaa","queue":"default"}';
const NO_ARGS = '{"class":"Probe","jid":"bbbbbbbbbbbbbbbbbbbbbbbb","queue":"default"}';
const UNKNOWN_CLASS =
  '{"class":"Vanished","args":[1],"jid":"cccccccccccccccccccccccc","queue":"default","x_custom":1}';

describe('a payload that cannot be performed', () => {
  it('is logged with its reason, kept in the dead set, and the process keeps working', async () => {
    runtime = startRuntime(server.url, [PROBE_REGISTRY]);
    await runtime.waitForLine(/starting/);
    for (const raw of [NOT_JSON, NOT_AN_OBJECT, NO_CLASS, NO_ARGS, UNKNOWN_CLASS]) {
      await redis.lpush('queue:default', raw);
    }
    const good = await client.push({ class: 'Probe', args: ['ok', 'after'] });
    await waitUntil('the good job', async () => (await redis.llen('probe:done:after')) === 1);
    await waitUntil('five dead entries', async () => (await redis.zcard('dead')) === 5);

    const log = runtime.output();
    expect(log).toMatch(
      /ERROR: cannot perform job from queue "default": payload is not JSON .*kept in the dead set/,
    );
    expect(log).toMatch(/ERROR: cannot perform .*payload is not a JSON object; kept in the dead set/);
    expect(log).toMatch(/jid=aaaaaaaaaaaaaaaaaaaaaaaa ERROR: .*payload has no "class" string/);
    expect(log).toMatch(/jid=bbbbbbbbbbbbbbbbbbbbbbbb ERROR: .*payload has no "args" array/);
    expect(log).toMatch(/jid=cccccccccccccccccccccccc ERROR: .*no worker class "Vanished" in the registry/);
    expect(await redis.lrange('probe:done:after', 0, -1)).toEqual([good]);

    const dead = await redis.zrange('dead', 0, -1);
    // Not a job object: kept byte for byte, as Sidekiq keeps malformed JSON; the reason is beside it.
    for (const raw of [NOT_JSON, NOT_AN_OBJECT]) {
      expect(dead).toContain(raw);
      expect(JSON.parse((await redis.hget('sidepunch:dead-reasons', raw))!).error_message).toMatch(
        /payload is not/,
      );
    }
    // A job object: every field kept, Sidekiq's error fields added, so Sidekiq's Web UI shows why.
    const vanished = JSON.parse(
      dead.find((member) => member.includes('"Vanished"') && member !== UNKNOWN_CLASS)!,
    );
    expect(vanished).toMatchObject({
      class: 'Vanished',
      args: [1],
      jid: 'cccccccccccccccccccccccc',
      x_custom: 1,
      error_class: 'Sidepunch::UnknownWorker',
      error_message: expect.stringContaining('no worker class "Vanished"'),
      failed_at: expect.any(Number),
    });
    expect(await redis.llen('queue:default')).toBe(0);
    expect(await redis.keys('sidepunch:in-progress:*')).toEqual([]);
    expect(runtime.child.exitCode).toBeNull();
  });

  it('a job that throws is logged with its error and the process keeps working', async () => {
    runtime = startRuntime(server.url, [PROBE_REGISTRY]);
    const failing = await client.push({ class: 'Probe', args: ['fail', 'kaboom'] });
    await runtime.waitForLine(new RegExp(`jid=${failing} elapsed=[\\d.]+ WARN: fail: Error: kaboom`));
    await client.push({ class: 'Probe', args: ['ok', 'after-fail'] });
    await waitUntil('the next job', async () => (await redis.llen('probe:done:after-fail')) === 1);
    await waitUntil('counters', async () => (await redis.get('stat:processed')) === '2');
    expect(await redis.get('stat:failed')).toBe('1');
  });
});
