import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/client/client.js';
import { STALL_LIMIT_MS } from '../../runtime/server/fetch-watchdog.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
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

  it('a job that held the event loop past the limit is not a stall: the wait is judged again from then', async () => {
    const runtime = startInProcess(server.url, { Recorder });
    try {
      await runtime.next('fetch:idle');
      // The loop then waits on its blocking fetch: outstanding from now on.
      await new Promise((resolve) => setImmediate(resolve));
      const { launcher, clock } = runtime;
      expect(launcher.watchdog.tick()).toBe(false);
      // A synchronous job held the loop 20 s: the idle wait's timeouts could not be read meanwhile.
      clock.advance(20_000);
      expect(launcher.watchdog.tick()).toBe(false);
      clock.advance(2_500);
      expect(launcher.watchdog.tick()).toBe(false);
      expect(runtime.log()).not.toMatch(/watchdog/);
    } finally {
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

/*
 * One queue's blocking fetch (BLMOVE) on a connection that went silent without a reset, while the other queues'
 * keep timing out every 2 s: the watchdog cannot see it (the other queues' answers keep the loop's wait short), so
 * the fetcher must not take those timeouts as proof that every queue is empty, and replaces the silent connection.
 */
/** Waits until Redis holds a BLMOVE blocked on each of `queues`' blocking connections. */
async function blockedOn(queues: string[]): Promise<void> {
  await expect
    .poll(async () => {
      const clients = String(await redis.client('LIST'));
      return queues.every((queue) =>
        new RegExp(`name=sidepunch-blocking-fetch-${queue} .*flags=b .*cmd=blmove`).test(clients),
      );
    })
    .toBe(true);
}

async function withTwoQueues(test: (runtime: InProcessRuntime, client: Client) => Promise<void>) {
  const runtime = startInProcess(proxy.url, { Recorder }, { queues: ['a', 'b'], concurrency: 2 });
  const client = new Client({ redis: server.url });
  try {
    await blockedOn(['a', 'b']);
    await test(runtime, client);
  } finally {
    await client.close();
    await runtime.stop();
  }
}

describe('a queue whose blocking fetch went silent', () => {
  it('gets its job started at the next timeout of another queue, not after 32 of them', async () => {
    await withTwoQueues(async (runtime, client) => {
      // Redis dropped b's blocking connection; the process never heard (an expired NAT entry).
      proxy.severSilently('sidepunch-blocking-fetch-b');
      const done = runtime.next('job:done');
      await client.push({ class: 'Recorder', args: ['in b'], queue: 'b' });
      // b's BLMOVE is now overdue: sent longer ago than its 2 s timeout, with no answer.
      runtime.clock.advance(4_000);
      await done;
      expect(performed).toContain('in b');
    });
  });

  it('gets a new connection, and the job its BLMOVE took into the in-progress list is adopted and run', async () => {
    await withTwoQueues(async (runtime, client) => {
      // Redis still holds b's BLMOVE, so it hands b's next job to it, but no reply reaches the process.
      proxy.freeze('sidepunch-blocking-fetch-b');
      await client.push({ class: 'Recorder', args: ['taken by the silent one'], queue: 'b' });
      await expect.poll(() => redis.llen('queue:b')).toBe(0);
      const [inProgress] = await redis.keys('sidepunch:in-progress:{queue:b}:*');
      expect(await redis.llen(inProgress!)).toBe(1);

      runtime.clock.advance(11_000);
      // a's first timeout after the jump came late by the clock too, so it judges nobody; its next one does.
      await expect
        .poll(() => runtime.log())
        .toMatch(/WARN: the blocking fetch of queue "b" has not answered for 11 s; reconnecting it/);
      // Closing the silent connection takes ioredis up to 2 s; its BLMOVE then fails and its list is adopted.
      await expect.poll(() => performed).toContain('taken by the silent one');
      expect(runtime.log()).toMatch(/adopted 1 job\(s\) left in this process's in-progress lists/);
      // The new connection blocks for b again.
      await blockedOn(['a', 'b']);
    });
  });
});
