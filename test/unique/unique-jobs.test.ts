import { afterEach, describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/api/api.js';
import { Client } from '../../runtime/client/client.js';
import { setStubClient, workerStub } from '../../runtime/client/stub.js';
import { uniqueDigest } from '../../runtime/core/unique.js';
import type { WorkerOptions } from '../../runtime/core/worker.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
let runtime: InProcessRuntime | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await runtime?.stop();
  runtime = undefined;
});

/** A worker that records its runs and fails while `failing` says so. */
function worker(
  name: string,
  options: WorkerOptions,
  behaviour: { failing?: boolean; runs?: string[] } = {},
) {
  const cls = class {
    static sidepunchOptions = options;
    perform(...args: unknown[]) {
      behaviour.runs?.push(JSON.stringify(args));
      if (behaviour.failing) throw new Error('not yet');
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

const Sync = worker('Sync', { unique: { for: 60 } });

function newClient(): Client {
  client = new Client({ redis: fixture.server.url });
  return client;
}

describe('unique jobs: pushes', () => {
  it('a second push of the same job while the first is pending is dropped, and the outcome says by whom', async () => {
    const c = newClient();
    const first = await c.pushOutcome({ class: Sync, args: [1, 'a'] });
    const second = await c.pushOutcome({ class: Sync, args: [1, 'a'] });
    const other = await c.pushOutcome({ class: Sync, args: [2, 'a'] });
    expect(first.pushed).toBe(true);
    expect(second).toEqual({ pushed: false, reason: 'duplicate', heldBy: first.pushed ? first.jid : '' });
    expect(other.pushed).toBe(true);
    expect(await fixture.redis.llen('queue:default')).toBe(2);
    // Sidekiq Enterprise's nil from perform_async
    expect(await c.push({ class: Sync, args: [1, 'a'] })).toBeUndefined();
  });

  it('the payload carries unique_for, unique_until and the lock digest; the lock holds the jid and expires after `for`', async () => {
    const c = newClient();
    const jid = await c.push({ class: Sync, args: [7] });
    const [raw] = await fixture.redis.lrange('queue:default', 0, -1);
    const job = JSON.parse(raw!);
    const digest = uniqueDigest('Sync', 'default', [7]);
    expect(job).toMatchObject({ unique_for: 60, unique_until: 'success', unique_digest: digest });
    expect(job).not.toHaveProperty('unique');
    expect(await fixture.redis.get(`unique:${digest}`)).toBe(jid);
    const ttl = await fixture.redis.pttl(`unique:${digest}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('a scheduled job holds its lock for its delay plus `for`', async () => {
    const c = newClient();
    await c.push({ class: Sync, args: [3], in: 3600 });
    const ttl = await fixture.redis.pttl(`unique:${uniqueDigest('Sync', 'default', [3])}`);
    expect(ttl).toBeGreaterThan(3655_000);
    expect(ttl).toBeLessThanOrEqual(3660_000);
    expect((await c.pushOutcome({ class: Sync, args: [3] })).pushed).toBe(false);
  });

  it('the same arguments on another queue, or another class, are another job', async () => {
    const c = newClient();
    expect((await c.pushOutcome({ class: Sync, args: [1] })).pushed).toBe(true);
    expect((await c.pushOutcome({ class: Sync, args: [1], queue: 'other' })).pushed).toBe(true);
    expect((await c.pushOutcome({ class: worker('Other', { unique: { for: 60 } }), args: [1] })).pushed).toBe(
      true,
    );
  });

  it('`by` picks the arguments that make a job the same', async () => {
    const c = newClient();
    const PerCustomer = worker('PerCustomer', { unique: { for: 60, by: [0] } });
    expect((await c.pushOutcome({ class: PerCustomer, args: ['cust-1', 'edit-1'] })).pushed).toBe(true);
    expect(await c.pushOutcome({ class: PerCustomer, args: ['cust-1', 'edit-2'] })).toMatchObject({
      pushed: false,
      reason: 'duplicate',
    });
    expect((await c.pushOutcome({ class: PerCustomer, args: ['cust-2', 'edit-1'] })).pushed).toBe(true);
  });

  it('`unique: false` bypasses the lock; a bulk push drops the copies within it', async () => {
    const c = newClient();
    await c.push({ class: Sync, args: [1] });
    expect((await c.pushOutcome({ class: Sync, args: [1], unique: false })).pushed).toBe(true);
    const outcomes = await c.pushBulkOutcomes({ class: Sync, args: [[5], [5], [6], [1]] });
    expect(outcomes.map((o) => o.pushed)).toEqual([true, false, true, false]);
    expect(await fixture.redis.llen('queue:default')).toBe(4);
  });

  it('a malformed option is a clear one-line error', async () => {
    const c = newClient();
    await expect(c.push({ class: 'X', args: [], unique: { for: 0 } } as never)).rejects.toThrow(
      'job X: "unique" needs "for": a number of seconds > 0',
    );
  });

  it('a stub tells a dropped push from an enqueued one, and set({ unique: false }) bypasses', async () => {
    const c = newClient();
    const previous = setStubClient(() => c);
    try {
      const stub = workerStub<[number]>('Sync', { unique: { for: 60 } });
      const first = await stub.withOutcome.performAsync(9);
      const again = await stub.withOutcome.performIn(10, 9);
      const bypass = await stub.set({ unique: false }).withOutcome.performAsync(9);
      expect(first.pushed).toBe(true);
      expect(again).toMatchObject({ pushed: false, reason: 'duplicate' });
      expect(bypass.pushed).toBe(true);
      if (!again.pushed && again.reason === 'duplicate' && first.pushed) expect(again.heldBy).toBe(first.jid);
    } finally {
      setStubClient(previous);
    }
  });

  it('1,000 concurrent pushes of one unique job from 10 clients enqueue exactly one', async () => {
    const clients = Array.from({ length: 10 }, () => new Client({ redis: fixture.server.url }));
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => clients[i % 10]!.pushOutcome({ class: Sync, args: ['hot'] })),
      );
      expect(outcomes.filter((o) => o.pushed)).toHaveLength(1);
      expect(await fixture.redis.llen('queue:default')).toBe(1);
    } finally {
      await Promise.all(clients.map((each) => each.close()));
    }
  });
});

describe('unique jobs: the lock through the job’s life', () => {
  it("until: 'success': held while the job fails and waits for its retry, released when it succeeds", async () => {
    const behaviour = { failing: true, runs: [] as string[] };
    const Flaky = worker('Flaky', { unique: { for: 600 } }, behaviour);
    runtime = startInProcess(fixture.server.url, { Flaky });
    const c = new Client({ redis: fixture.server.url, clock: runtime.clock });
    client = c;
    let written = runtime.next('complete:flushed');
    expect((await c.pushOutcome({ class: Flaky, args: ['x'] })).pushed).toBe(true);
    await written;
    expect(await fixture.redis.zcard('retry')).toBe(1);
    expect((await c.pushOutcome({ class: Flaky, args: ['x'] })).pushed).toBe(false);

    behaviour.failing = false;
    const [, score] = await fixture.redis.zrange('retry', 0, -1, 'WITHSCORES');
    runtime.clock.set(Number(score) * 1000);
    written = runtime.next('complete:flushed');
    expect(await runtime.launcher.scheduler.tick()).toBe(1);
    await written;
    expect(behaviour.runs).toHaveLength(2);
    expect((await c.pushOutcome({ class: Flaky, args: ['x'] })).pushed).toBe(true);
  });

  it("until: 'start': released when the job starts, so a push during its run enqueues", async () => {
    let pushedDuringRun: unknown;
    let c!: Client;
    const Starter = class {
      static sidepunchOptions: WorkerOptions = { unique: { for: 600, until: 'start' } };
      async perform(tag: string) {
        if (tag === 'first') pushedDuringRun = await c.pushOutcome({ class: Starter, args: ['first'] });
      }
    };
    Object.defineProperty(Starter, 'name', { value: 'Starter' });
    runtime = startInProcess(fixture.server.url, { Starter });
    c = new Client({ redis: fixture.server.url, clock: runtime.clock });
    client = c;
    const written = runtime.next('complete:flushed');
    await c.push({ class: Starter, args: ['first'] });
    await written;
    expect(pushedDuringRun).toMatchObject({ pushed: true });
  });

  it('a job that outlived its lock does not release the lock of the copy pushed since', async () => {
    const c = newClient();
    const digest = uniqueDigest('Sync', 'default', [1]);
    await c.push({ class: Sync, args: [1] });
    await fixture.redis.set(`unique:${digest}`, 'newer-jid', 'PX', 60_000);
    runtime = startInProcess(fixture.server.url, { Sync });
    const written = runtime.next('complete:flushed');
    await written;
    expect(await fixture.redis.get(`unique:${digest}`)).toBe('newer-jid');
  });

  it('the API shows the lock on a job, and deleting the job releases it', async () => {
    const c = newClient();
    const jid = await c.push({ class: Sync, args: [4] });
    await c.push({ class: Sync, args: [5], in: 60 });
    const api = new SidepunchApi({ redis: fixture.server.url });
    try {
      const queued = await api.queue('default').findJob(jid!);
      const state = await api.uniqueLock(queued!);
      expect(state).toMatchObject({ heldBy: jid, until: 'success' });
      expect(await queued!.delete()).toBe(true);
      expect((await c.pushOutcome({ class: Sync, args: [4] })).pushed).toBe(true);

      const [scheduled] = await api.scheduled.page(0, 1);
      await scheduled!.delete();
      expect((await c.pushOutcome({ class: Sync, args: [5] })).pushed).toBe(true);
    } finally {
      await api.close();
    }
  });

  it("clearing a queue or a set (the dashboard's Delete all) releases the locks its jobs held, and no other", async () => {
    const c = newClient();
    const queued = await c.pushBulk({
      class: Sync,
      args: Array.from({ length: 2_500 }, (_, i) => [`q${i}`]),
    });
    expect(queued).toHaveLength(2_500);
    await c.push({ class: Sync, args: ['elsewhere'], queue: 'other' });
    await c.push({ class: Sync, args: ['retrying'], in: 60 });
    await fixture.redis.rename('schedule', 'retry'); // as if it had failed: a retry holds its lock too
    await c.push({ class: Sync, args: ['scheduled'], in: 60 });
    await fixture.redis.zadd('dead', 1, JSON.stringify({ class: 'Sync', args: ['dead'], jid: 'not-unique' }));
    const api = new SidepunchApi({ redis: fixture.server.url });
    try {
      await api.queue('default').clear();
      expect(await fixture.redis.llen('queue:default')).toBe(0);
      expect(await fixture.redis.sismember('queues', 'default')).toBe(0);
      for (const args of [['q0'], ['q1249'], ['q2499']])
        expect((await c.pushOutcome({ class: Sync, args })).pushed).toBe(true);
      // the other queue's job keeps its lock
      expect((await c.pushOutcome({ class: Sync, args: ['elsewhere'], queue: 'other' })).pushed).toBe(false);

      await api.scheduled.clear();
      expect((await c.pushOutcome({ class: Sync, args: ['scheduled'] })).pushed).toBe(true);
      await api.retries.clear();
      expect((await c.pushOutcome({ class: Sync, args: ['retrying'] })).pushed).toBe(true);
      await api.dead.clear();
      expect(await fixture.redis.exists('dead')).toBe(0);
    } finally {
      await api.close();
    }
  });
});
