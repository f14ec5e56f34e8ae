import { describe, expect, it } from 'vitest';
import { encodeJob, newJids } from '../../runtime/core/job.js';
import { useRedis } from '../support/redis-fixture.js';
import { PROBE_REGISTRY, startRuntime, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

describe('the scheduler, with many processes polling', () => {
  it('two processes polling one schedule of 10,000 due jobs perform each exactly once', async () => {
    const jids = newJids(10_000);
    const now = Date.now() / 1000;
    const members: (string | number)[] = [];
    jids.forEach((jid, i) => {
      const job = {
        retry: true,
        queue: 'default',
        args: ['ok', 'sched'],
        class: 'Probe',
        jid,
        created_at: now,
      };
      members.push(now - 10 + i / 10_000, encodeJob(job));
    });
    await fixture.redis.zadd('schedule', ...members);

    const flags = ['-c', '20', '--poll-interval', '0.05', '--log-level', 'warn', PROBE_REGISTRY];
    const first = startRuntime(fixture.server.url, flags);
    const second = startRuntime(fixture.server.url, flags);
    try {
      await waitUntil(
        '10,000 jobs done',
        async () => (await fixture.redis.llen('probe:done:sched')) >= 10_000,
        60_000,
        50,
      );
      expect(await first.stop()).toBe(0);
      expect(await second.stop()).toBe(0);
    } finally {
      await first.stop('SIGKILL');
      await second.stop('SIGKILL');
    }
    const done = await fixture.redis.lrange('probe:done:sched', 0, -1);
    expect(done).toHaveLength(10_000); // no job twice
    expect(new Set(done)).toEqual(new Set(jids)); // none lost
    expect(await fixture.redis.zcard('schedule')).toBe(0);
    console.log(`two pollers: 10,000 scheduled jobs, ${done.length - new Set(done).size} duplicates, 0 lost`);
  });

  it('an average poll interval longer than a Node timer holds waits, instead of polling without a pause', async () => {
    // 2,000,000 s × 4 listed processes: past 2^31 - 1 ms, which Node would fire after 1 ms, again and again.
    await fixture.redis.sadd('processes', 'other:1:a', 'other:2:b', 'other:3:c');
    await fixture.redis.config('RESETSTAT');
    const runtime = fixture.run(['--poll-interval', '2000000']);
    const polls = async () =>
      Number(/cmdstat_zrangebyscore:calls=(\d+)/.exec(await fixture.redis.info('commandstats'))?.[1] ?? 0);
    // A job performed: the process is up and its scheduler armed.
    const jid = await fixture.client.push({ class: 'Probe', args: ['ok', 'armed'] });
    await waitUntil('a job done', async () => (await fixture.redis.llen('probe:done:armed')) === 1);
    expect(await fixture.redis.lrange('probe:done:armed', 0, -1)).toEqual([jid]);
    expect(await polls()).toBe(0);
    expect(runtime.output()).not.toMatch(/TimeoutOverflowWarning/);
  });
});
