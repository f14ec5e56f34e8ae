import { afterEach, describe, expect, it } from 'vitest';
import { encodeJob, newJids } from '../../runtime/core/job.js';
import { patchJob } from '../../runtime/core/job-patch.js';
import { clientMiddleware } from '../../runtime/middleware/client-middleware.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const runtimes: InProcessRuntime[] = [];

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  clientMiddleware.clear();
});

/** A process that only polls: it works a queue nobody pushes to, and the test ticks its scheduler. */
function poller(): InProcessRuntime {
  const runtime = startInProcess(fixture.server.url, {}, { queues: ['unused'] });
  runtimes.push(runtime);
  return runtime;
}

async function addDue(set: 'schedule' | 'retry', count: number, dueAt: number): Promise<string[]> {
  const jids = newJids(count);
  const members: (string | number)[] = [];
  jids.forEach((jid, i) => {
    const job = { retry: true, queue: 'default', args: [i], class: 'Report', jid, created_at: dueAt - 60 };
    members.push(dueAt - 1, encodeJob(job));
  });
  await fixture.redis.zadd(set, ...members);
  return jids;
}

const queued = async () => (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw));

describe('the poller with client middleware', () => {
  it('two processes polling at once push each due job exactly once, as the middleware left it', async () => {
    const [first, second] = [poller(), poller()];
    const now = first.clock.now() / 1000;
    const jids = await addDue('schedule', 300, now);
    let calls = 0;
    clientMiddleware.add(async (job, next, context) => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve)); // let the other poller interleave
      if ((job.args[0] as number) % 10 === 0) return; // stopped: dropped, as Sidekiq does
      job.pushed_by = context.origin;
      await next();
    });

    await Promise.all([first.launcher.scheduler.tick(), second.launcher.scheduler.tick()]);

    const jobs = await queued();
    expect(await fixture.redis.zcard('schedule')).toBe(0);
    expect(jobs).toHaveLength(270);
    expect(new Set(jobs.map((job) => job.jid)).size).toBe(270);
    expect(jids.filter((_, i) => i % 10 !== 0).sort()).toEqual(jobs.map((job) => job.jid).sort());
    expect(jobs.every((job) => job.pushed_by === 'schedule' && job.enqueued_at === now)).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(300);
  });

  it('retries go through the same path, and a job the middleware leaves alone keeps its exact text', async () => {
    const runtime = poller();
    const now = runtime.clock.now() / 1000;
    await addDue('retry', 2, now);
    const origins: string[] = [];
    clientMiddleware.add((_job, next, context) => {
      origins.push(context.origin);
      return next();
    });
    const [member] = await fixture.redis.zrange('retry', 0, 0);
    expect(await runtime.launcher.scheduler.tick()).toBe(2);
    expect(origins).toEqual(['retry', 'retry']);
    const pushed = await fixture.redis.lrange('queue:default', 0, -1);
    expect(pushed).toContain(patchJob(member!, { enqueued_at: now }));
  });

  it('a middleware that throws leaves the job in its set for the next poll, and the poll ends', async () => {
    const runtime = poller();
    await addDue('schedule', 150, runtime.clock.now() / 1000);
    let broken = true;
    clientMiddleware.add((job, next) => {
      if (broken && (job.args[0] as number) < 120) throw new Error('middleware down');
      return next();
    });
    expect(await runtime.launcher.scheduler.tick()).toBe(30);
    expect(await fixture.redis.zcard('schedule')).toBe(120);
    expect(runtime.log()).toContain('client middleware threw on a due job, kept for the next poll');
    broken = false;
    expect(await runtime.launcher.scheduler.tick()).toBe(120);
    expect(await fixture.redis.llen('queue:default')).toBe(150);
  });
});
