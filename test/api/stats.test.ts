import { describe, expect, it } from 'vitest';
import { Client, FakeClock, SidepunchApi } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST_BEAT = ['--heartbeat', '0.2', '--process-ttl', '1'];
const today = () => new Date().toISOString().slice(0, 10);

describe('Stats', () => {
  it('counts what real jobs did: processed, failed, set sizes, processes, busy, enqueued, latency', async () => {
    fixture.run([...FAST_BEAT, '-q', 'work']);
    const { client } = fixture;
    await client.pushBulk({ class: 'Probe', args: [['ok'], ['ok'], ['ok']], queue: 'work' });
    await client.push({ class: 'Probe', args: ['fail', 'retried'], queue: 'work' });
    await client.push({ class: 'Probe', args: ['fail', 'dead'], queue: 'work', retry: 0 });
    await client.push({ class: 'Probe', args: ['ok'], queue: 'work', in: 600 });
    await client.push({ class: 'Probe', args: ['hang'], queue: 'work' });
    // Waiting where no process looks: "default" (pushed 42 s before the API's now) and "other".
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    const past = new Client({ redis: fixture.server.url, clock });
    await past.pushBulk({ class: 'Probe', args: [['ok'], ['ok']] });
    await past.pushBulk({ class: 'Probe', args: [['ok'], ['ok'], ['ok']], queue: 'other' });
    await past.close();
    clock.advance(42_000);
    const api = new SidepunchApi({ redis: fixture.redis, clock });
    await waitUntil('the hanging job in a heartbeat', async () => (await api.stats.summary()).busy === 1);
    await waitUntil('five jobs finished', async () => (await api.stats.summary()).processed === 5);

    expect(await api.stats.summary()).toEqual({
      processed: 5,
      failed: 2,
      scheduledSize: 1,
      retrySize: 1,
      deadSize: 1,
      processesSize: 1,
      defaultQueueLatency: 42,
      enqueued: 5,
      busy: 1,
    });
    expect(await api.stats.queues()).toEqual({ other: 3, default: 2, work: 0 });
    expect(Object.keys(await api.stats.queues())).toEqual(['other', 'default', 'work']);
    expect(await api.stats.queueSizes()).toEqual([
      ['other', 3],
      ['default', 2],
      ['work', 0],
    ]);

    const history = await api.stats.history(3, new Date());
    expect(Object.keys(history.processed)).toHaveLength(3);
    expect(Object.keys(history.processed)[0]).toBe(today());
    expect(Object.values(history.processed)).toEqual([5, 0, 0]);
    expect(Object.values(history.failed)).toEqual([2, 0, 0]);

    await api.stats.reset('failed');
    expect(await api.stats.summary()).toMatchObject({ processed: 5, failed: 0 });
    await api.stats.reset();
    expect(await api.stats.summary()).toMatchObject({ processed: 0, failed: 0 });
    expect((await api.stats.history(1, new Date())).processed).toEqual({ [today()]: 5 });
  });

  it('an empty Redis reads as zeros, and history refuses a range Sidekiq does not keep', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    expect(await api.stats.summary()).toEqual({
      processed: 0,
      failed: 0,
      scheduledSize: 0,
      retrySize: 0,
      deadSize: 0,
      processesSize: 0,
      defaultQueueLatency: 0,
      enqueued: 0,
      busy: 0,
    });
    await expect(api.stats.history(0)).rejects.toThrow('history covers 1 to 1825 days, not 0');
    await expect(api.stats.history(1826)).rejects.toThrow(RangeError);
    const history = await api.stats.history(2, new Date(Date.UTC(2026, 0, 1)));
    expect(history.processed).toEqual({ '2026-01-01': 0, '2025-12-31': 0 });
  });
});
