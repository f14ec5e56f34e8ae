import { describe, expect, it } from 'vitest';
import { Client } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis({ persistent: true });

describe('when Redis goes away', () => {
  it('stopped and restarted mid-run: the runtime says so once, reconnects, and loses no job', async () => {
    const client = new Client({ redis: fixture.server.url });
    const jids = await client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 4000 }, () => ['slow', 2, 'outage']),
    });
    await client.close();
    const runtime = fixture.run(['-c', '20', '--log-level', 'info']);
    await waitUntil('some jobs done', async () => (await fixture.redis.llen('probe:done:outage')) >= 500);

    await fixture.server.stop();
    await runtime.waitForLine(/WARN: fetch: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+\/0/);
    await fixture.server.restart();
    await runtime.waitForLine(/INFO: fetch: connected to Redis at .* again/);
    await waitUntil(
      'every job done',
      async () => new Set(await fixture.redis.lrange('probe:done:outage', 0, -1)).size >= 4000,
    );

    const done = await fixture.redis.lrange('probe:done:outage', 0, -1);
    expect(new Set(done)).toEqual(new Set(jids));
    console.log(`redis restart: ${jids.length} jobs, ${done.length - jids.length} ran twice, 0 lost`);
    expect(runtime.output().match(/lost the connection to Redis/g)?.length).toBeLessThanOrEqual(4); // one per connection
    expect(runtime.child.exitCode).toBeNull();
    await waitUntil('the queue and in-progress lists empty', async () => {
      const [queued, inProgress] = await Promise.all([
        fixture.redis.llen('queue:default'),
        fixture.redis.keys('sidepunch:in-progress:*'),
      ]);
      if (queued !== 0) return false;
      for (const key of inProgress) if ((await fixture.redis.llen(key)) > 0) return false;
      return true;
    });
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });

  it('unreachable at start: one clear line, then it connects by itself and works', async () => {
    await fixture.server.stop();
    const runtime = fixture.run([]);
    await runtime.waitForLine(
      /WARN: fetch: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(ECONNREFUSED\); retrying/,
    );
    await fixture.server.restart();
    await runtime.waitForLine(/connected to Redis at .* again/);
    const client = new Client({ redis: fixture.server.url });
    await client.push({ class: 'Probe', args: ['ok', 'late'] });
    await client.close();
    await waitUntil('the job', async () => (await fixture.redis.llen('probe:done:late')) === 1);
    expect(runtime.output().match(/cannot reach Redis/g)).toHaveLength(1);
  });
});
