import { describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST_BEAT = ['--heartbeat', '0.2', '--process-ttl', '1'];

/** Real failures through a real sidepunch-run: two retries, one dead job, and one job scheduled for later. */
async function failSomeJobs() {
  fixture.run(FAST_BEAT);
  const retried = [
    await fixture.client.push({ class: 'Probe', args: ['fail', 'first failure'] }),
    await fixture.client.push({ class: 'Probe', args: ['fail', 'second failure'] }),
  ];
  const dead = await fixture.client.push({ class: 'Probe', args: ['fail', 'fatal'], retry: 0 });
  const scheduled = (await fixture.client.push({ class: 'Probe', args: ['ok', 'later'], in: 3600 }))!;
  await waitUntil(
    'two retries and one dead job',
    async () => (await fixture.redis.zcard('retry')) === 2 && (await fixture.redis.zcard('dead')) === 1,
  );
  return { retried, dead, scheduled, api: new SidepunchApi({ redis: fixture.redis }) };
}

describe('RetrySet, DeadSet and ScheduledSet, read side', () => {
  it('the retry set lists failed jobs by retry time, with their error fields and exact stored strings', async () => {
    const { retried, api } = await failSomeJobs();
    expect(await api.retries.size()).toBe(2);
    const stored = await fixture.redis.zrange('retry', 0, -1, 'WITHSCORES');

    const entries = [];
    for await (const entry of api.retries) entries.push(entry);
    // Redis prints scores with 17 digits; the number is the same.
    expect(entries.map((entry) => [entry.value, entry.score])).toEqual([
      [stored[0], Number(stored[1])],
      [stored[2], Number(stored[3])],
    ]);
    expect(new Set(entries.map((entry) => entry.jid))).toEqual(new Set(retried));
    for (const entry of entries) {
      expect(entry).toMatchObject({ klass: 'Probe', queue: 'default', errorClass: 'Error', retryCount: 0 });
      expect(entry.errorMessage).toMatch(/failure$/);
      expect(entry.failedAt!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(entry.retriedAt).toBeUndefined();
      // Sidekiq's delay for a first failure: 15 to 24 seconds.
      const delay = entry.score - entry.failedAt!.getTime() / 1000;
      expect(delay).toBeGreaterThanOrEqual(15);
      expect(delay).toBeLessThanOrEqual(25);
      expect(entry.at).toEqual(new Date(entry.score * 1000));
    }

    const newestFirst = [];
    for await (const entry of api.retries.entries({ reverse: true })) newestFirst.push(entry.value);
    expect(newestFirst).toEqual([stored[2], stored[0]]);
    expect((await api.retries.page(1, 5)).map((entry) => entry.value)).toEqual([stored[2]]);
  });

  it('finds entries by jid and by score, and deletes exactly one', async () => {
    const { retried, api } = await failSomeJobs();
    const found = await api.retries.findJob(retried[1]!);
    expect(found?.args).toEqual(['fail', 'second failure']);
    expect(await api.retries.findJob('ffffffffffffffffffffffff')).toBeUndefined();
    expect((await api.retries.fetch(found!.score)).map((entry) => entry.jid)).toContain(retried[1]);
    expect(await api.retries.fetch(found!.score, retried[0])).toEqual([]);
    expect(await api.retries.fetch({ min: 0, max: Number.MAX_VALUE })).toHaveLength(2);

    expect(await found!.delete()).toBe(true);
    expect(await found!.delete()).toBe(false);
    expect((await api.retries.page(0, 10)).map((entry) => entry.jid)).toEqual([retried[0]]);
  });

  it('the dead set holds the job that ran out of retries; the schedule the job pushed for later', async () => {
    const { dead, scheduled, api } = await failSomeJobs();
    const [corpse] = await api.dead.page(0, 10);
    expect(corpse).toMatchObject({ jid: dead, errorMessage: 'fatal', retryCount: 0 });
    expect(Math.abs(corpse!.score - Date.now() / 1000)).toBeLessThan(30);

    const [later] = await api.scheduled.page(0, 10);
    expect(later).toMatchObject({ jid: scheduled, enqueuedAt: undefined, queue: 'default' });
    expect(later!.score - Date.now() / 1000).toBeGreaterThan(3500);
    expect(await api.scheduled.findJob(scheduled)).toMatchObject({ value: later!.value });

    await api.dead.clear();
    await api.scheduled.clear();
    expect(await api.dead.size()).toBe(0);
    expect(await api.scheduled.size()).toBe(0);
  });

  it('a dead member that is not JSON shows as its own argument, with its reason', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    await fixture.client.push({ class: 'Probe', args: ['ok'], queue: 'broken' });
    await fixture.redis.lpush('queue:broken', '{oops');
    fixture.run([...FAST_BEAT, '-q', 'broken']);
    await waitUntil('the bad payload died', async () => (await fixture.redis.zcard('dead')) === 1);
    const [entry] = await api.dead.page(0, 1);
    expect(entry).toMatchObject({ isJob: false, value: '{oops' });
    expect(entry!.args).toEqual(['{oops']);
    expect(await api.dead.reasonFor(entry!)).toMatchObject({
      errorMessage: expect.stringMatching(/not JSON/),
    });
    expect(await entry!.delete()).toBe(true);
    expect(await fixture.redis.hlen('sidepunch:dead-reasons')).toBe(0);
  });
});
