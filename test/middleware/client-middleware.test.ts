import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/client/client.js';
import type { JobPayload } from '../../runtime/core/job.js';
import {
  type ClientContext,
  type ClientNext,
  clientMiddleware,
} from '../../runtime/middleware/client-middleware.js';
import { type PushCall, pushHooks } from '../../runtime/middleware/push-hooks.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
afterEach(() => {
  clientMiddleware.clear();
  pushHooks.clear();
});

const queued = async (queue: string) =>
  (await fixture.redis.lrange(`queue:${queue}`, 0, -1)).map((raw) => JSON.parse(raw));

describe('client middleware', () => {
  it('runs in order around every push and can change the job: a field, its queue', async () => {
    const seen: string[] = [];
    clientMiddleware.add(async (job, next, context: ClientContext) => {
      seen.push(
        `outer ${context.className} ${context.queue} ${context.origin} ${context.redis ? 'redis' : '-'}`,
      );
      job.tenant = 'acme';
      await next();
      seen.push('outer done');
    });
    clientMiddleware.add({
      call(job: JobPayload, next: ClientNext) {
        seen.push(`inner sees tenant ${job.tenant}`);
        if (job.args[0] === 'urgent') job.queue = 'critical';
        return next();
      },
    });
    const jid = await fixture.client.push({ class: 'Mail', args: ['urgent'] });
    await fixture.client.push({ class: 'Mail', args: ['normal'] });
    expect(seen.slice(0, 3)).toEqual([
      'outer Mail default client redis',
      'inner sees tenant acme',
      'outer done',
    ]);
    expect(await queued('critical')).toMatchObject([
      { jid, args: ['urgent'], tenant: 'acme', queue: 'critical' },
    ]);
    expect(await queued('default')).toMatchObject([{ args: ['normal'], tenant: 'acme' }]);
    expect(await fixture.redis.smembers('queues')).toEqual(expect.arrayContaining(['critical', 'default']));
  });

  it('a middleware that returns without calling next stops the push: nothing saved, no jid', async () => {
    let laterRan = false;
    clientMiddleware.add((job, next) => (job.args[0] === 'drop' ? undefined : next()));
    clientMiddleware.add((_job, next) => {
      laterRan = true;
      return next();
    });
    expect(await fixture.client.push({ class: 'Mail', args: ['drop'] })).toBeUndefined();
    expect(laterRan).toBe(false);
    expect(await fixture.redis.keys('*')).toEqual([]);
    const jids = await fixture.client.pushBulk({ class: 'Mail', args: [['keep'], ['drop'], ['keep too']] });
    expect(jids[1]).toBeUndefined();
    expect((await queued('default')).map((job) => job.jid)).toEqual([jids[2], jids[0]]);
  });

  it('sees a scheduled job’s time as `at` and may move it; the payload keeps Sidekiq’s shape', async () => {
    clientMiddleware.add((job, next) => {
      job.at = (job.at as number) + 100;
      return next();
    });
    const before = Date.now() / 1000;
    await fixture.client.push({ class: 'Mail', args: [], in: 60 });
    const [member, score] = await fixture.redis.zrange('schedule', 0, -1, 'WITHSCORES');
    expect(Number(score)).toBeGreaterThanOrEqual(before + 160);
    const job = JSON.parse(member!);
    expect(job.at).toBeUndefined();
    expect(job.enqueued_at).toBeUndefined();
    expect(Object.keys(job)).toEqual(['retry', 'queue', 'args', 'class', 'jid', 'created_at']);
  });

  it('a job pushed through a middleware that changes nothing is byte for byte the fast path’s', async () => {
    const clock = { now: () => 1_764_000_000_123 };
    const plain = new Client({ redis: fixture.server.url, clock });
    await plain.push({ class: 'Mail', args: ['x', { n: 1 }], jid: 'a'.repeat(24), tags: ['t'] });
    clientMiddleware.add((_job, next) => next());
    await plain.push({ class: 'Mail', args: ['x', { n: 1 }], jid: 'a'.repeat(24), tags: ['t'] });
    await plain.close();
    const [withMiddleware, without] = await fixture.redis.lrange('queue:default', 0, -1);
    expect(withMiddleware).toBe(without);
  });
});

describe('push hooks', () => {
  it('run once around a whole push or pushBulk call, after Redis saved it; its jobs’ middleware sees the call', async () => {
    const seen: string[] = [];
    const calls: (PushCall | undefined)[] = [];
    pushHooks.add(async (call, push) => {
      seen.push(`start ${call.className} ${call.queue} ${call.count} ${call.bulk ? 'bulk' : 'single'}`);
      const jids = await push();
      seen.push(`saved ${await fixture.redis.llen('queue:default')}, jids ${jids.length}`);
      return jids;
    });
    clientMiddleware.add((_job, next, context) => {
      calls.push(context.call);
      return next();
    });
    await fixture.client.pushBulk({ class: 'Mail', args: [['a'], ['b'], ['c']] });
    await fixture.client.push({ class: 'Mail', args: ['d'] });
    expect(seen).toEqual([
      'start Mail default 3 bulk',
      'saved 3, jids 3',
      'start Mail default 1 single',
      'saved 4, jids 1',
    ]);
    expect(new Set(calls.slice(0, 3)).size).toBe(1);
    expect(calls[0]).toEqual({ className: 'Mail', queue: 'default', count: 3, bulk: true });
    expect(calls[3]).toEqual({ className: 'Mail', queue: 'default', count: 1, bulk: false });
  });

  it('see a push that Redis refuses fail with its PushError', async () => {
    const errors: unknown[] = [];
    pushHooks.add(async (_call, push) => {
      try {
        return await push();
      } catch (error) {
        errors.push(error);
        throw error;
      }
    });
    await fixture.redis.set('queue:default', 'not a list');
    await expect(fixture.client.push({ class: 'Mail', args: [] })).rejects.toThrow(/WRONGTYPE/);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).name).toBe('PushError');
  });
});
