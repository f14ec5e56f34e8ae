import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

describe('sidepunch-run performs what the client saved', () => {
  it('runs each of 10,000 bulk-pushed jobs exactly once at -c 10, then stops cleanly on SIGTERM', async () => {
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 10_000 }, () => ['ok', 'bulk']),
    });
    const runtime = fixture.run(['-c', '10', '--log-level', 'warn']);
    await waitUntil('10,000 jobs done', async () => (await fixture.redis.llen('probe:done:bulk')) >= 10_000);

    const done = await fixture.redis.lrange('probe:done:bulk', 0, -1);
    expect(done).toHaveLength(10_000);
    expect(new Set(done)).toEqual(new Set(jids));
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(await fixture.redis.llen('probe:done:bulk')).toBe(10_000);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
    expect(await fixture.redis.mget('stat:processed', 'stat:failed')).toEqual(['10000', null]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await fixture.redis.get(`stat:processed:${today}`)).toBe('10000');
    expect(await fixture.redis.ttl(`stat:processed:${today}`)).toBeGreaterThan(157_000_000);
    // Nothing is left in any in-progress list.
    expect(await fixture.redis.keys('sidepunch:in-progress:*')).toEqual([]);
  });

  it('never has more than -c 5 jobs in flight, and does use all 5', async () => {
    await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 60 }, () => ['track', 20, 'c5']),
    });
    fixture.run(['-c', '5', '--log-level', 'warn']);
    await waitUntil('60 jobs done', async () => (await fixture.redis.llen('probe:done:c5')) >= 60);
    expect(await fixture.redis.get('probe:maxinflight')).toBe('5');
  });

  it('logs one line when each job starts and one when it finishes, with class, jid and elapsed time', async () => {
    const runtime = fixture.run([]);
    await runtime.waitForLine(/starting: concurrency=10 queues=default/);
    const jid = await fixture.client.push({ class: 'Probe', args: ['slow', 30, 'log'] });
    const done = await runtime.waitForLine(new RegExp(`jid=${jid} .*INFO: done`));
    expect(done).toMatch(new RegExp(`class=Probe jid=${jid} elapsed=0\\.0[3-9]\\d INFO: done`));
    expect(runtime.output()).toMatch(new RegExp(`class=Probe jid=${jid} INFO: start`));
  });

  it('starts a job pushed to an idle process without waiting for a poll', async () => {
    const runtime = fixture.run(['-q', 'a', '-q', 'b']);
    await runtime.waitForLine(/starting/);
    // Both queues are idle; each push must be picked up through the blocking fetch.
    for (const queue of ['b', 'a', 'b']) {
      const jid = await fixture.client.push({ class: 'Probe', args: ['ok', 'idle'], queue });
      await runtime.waitForLine(new RegExp(`jid=${jid} .*INFO: done`), 5000);
    }
    expect(await fixture.redis.llen('probe:done:idle')).toBe(3);
  });
});
