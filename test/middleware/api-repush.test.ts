import { afterEach, describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/index.js';
import { clientMiddleware } from '../../runtime/middleware/client-middleware.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();

afterEach(() => {
  clientMiddleware.clear();
});

describe("the data API's re-push with client middleware", () => {
  it('add to queue and retry all go through the chain: changed jobs are pushed, stopped ones dropped', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    const jids: string[] = [];
    for (let i = 0; i < 4; i++) {
      jids.push((await fixture.client.push({ class: 'Report', args: [i], in: 3600 }))!);
    }
    clientMiddleware.add(async (job, next, context) => {
      if (job.args[0] === 3) return; // stopped: the entry leaves the set, as Sidekiq drops it
      job.pushed_by = context.origin;
      await next();
    });

    const first = await api.scheduled.findJob(jids[0]!);
    expect(await first!.addToQueue()).toBe(true);
    expect(await api.scheduled.addAllToQueue()).toBe(2); // pushed; the stopped one is only removed

    const queued = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw));
    expect(queued.map((job) => job.jid).sort()).toEqual(jids.slice(0, 3).sort());
    expect(queued.every((job) => job.pushed_by === 'api')).toBe(true);
    expect(await fixture.redis.zcard('schedule')).toBe(0);
  });

  it('re-pushing each entry while iterating, with a middleware that stops some, visits every entry', async () => {
    const api = new SidepunchApi({ redis: fixture.redis });
    for (let i = 0; i < 6; i++) await fixture.client.push({ class: 'Report', args: [i], in: 3600 + i });
    clientMiddleware.add(async (job, next) => {
      if ((job.args[0] as number) % 2 === 0) return; // stopped: the entry leaves the set all the same
      await next();
    });
    const seen: unknown[] = [];
    const moved: boolean[] = [];
    for await (const entry of api.scheduled.entries({ pageSize: 2 })) {
      seen.push(entry.args[0]);
      moved.push(await entry.addToQueue());
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(moved).toEqual([false, true, false, true, false, true]);
    expect(await fixture.redis.zcard('schedule')).toBe(0);
    const queued = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw).args[0]);
    expect(queued.sort()).toEqual([1, 3, 5]);
  });
});
