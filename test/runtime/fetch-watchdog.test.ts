import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/client/client.js';
import { STALL_LIMIT_MS } from '../../runtime/server/fetch-watchdog.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { startInProcess } from '../support/in-process.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let server: RedisServer;
let redis: Redis;
let proxy: TcpProxy;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
  proxy = await startTcpProxy(server.port);
});
afterAll(async () => {
  await proxy.close();
  await destroyRedisServer(server);
});

const performed: string[] = [];
class Recorder {
  perform(tag: string) {
    performed.push(tag);
  }
}

describe('the fetch watchdog', () => {
  it('a fetch loop whose connections went silent without a reset is noticed, reconnected, and loses no job', async () => {
    const runtime = startInProcess(proxy.url, { Recorder });
    const { launcher, clock, next } = runtime;
    const client = new Client({ redis: server.url });
    const written: string[] = [];
    const bothWritten = next('complete:flushed', ({ jids }) => written.push(...jids) >= 2);
    try {
      const firstDone = next('job:done');
      await client.push({ class: 'Recorder', args: ['before'] });
      await firstDone;
      expect(performed).toEqual(['before']);
      await next('fetch:idle');

      // Every open connection stops answering; Redis itself is fine, and new connections work.
      proxy.freeze();
      const secondDone = next('job:done');
      await client.push({ class: 'Recorder', args: ['after'] });
      clock.advance(STALL_LIMIT_MS / 2);
      expect(launcher.watchdog.check()).toBe(false);
      expect(performed).toEqual(['before']);

      clock.advance(STALL_LIMIT_MS / 2);
      const reconnected = next('fetch:reconnected');
      launcher.watchdog.check();
      expect((await reconnected).stalledMs).toBeGreaterThanOrEqual(STALL_LIMIT_MS);
      await secondDone;
      expect(performed).toEqual(['before', 'after']);
      expect(runtime.log()).toMatch(
        /WARN: watchdog: the fetch loop made no progress for 15 s while Redis was connected; reconnecting it/,
      );
      await bothWritten;
      expect(await redis.keys('sidepunch:in-progress:*')).toEqual([]);
    } finally {
      await client.close();
      await runtime.stop();
    }
  });

  it('long jobs filling every slot are not a stall', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    class Long {
      perform() {
        return released;
      }
    }
    const runtime = startInProcess(server.url, { Long }, { concurrency: 2 });
    const client = new Client({ redis: server.url });
    let started = 0;
    const bothStarted = runtime.next('job:start', () => ++started === 2);
    try {
      await client.pushBulk({ class: 'Long', args: [[], [], [], [], [], [], [], []] });
      await bothStarted;
      expect(runtime.launcher.busy).toBe(2);
      runtime.clock.advance(10 * STALL_LIMIT_MS);
      expect(runtime.launcher.watchdog.check()).toBe(false);
    } finally {
      release();
      await client.close();
      await runtime.stop();
    }
  });
});
