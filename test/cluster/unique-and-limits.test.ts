/**
 * Unique jobs, debounced jobs and limiters on a real local Redis Cluster (three primaries, no replicas): the
 * debounce key shares the schedule set's slot, so a push is still one atomic script; a unique push takes its lock
 * first, then pushes; limiters' scripts use one key each, and the data API scans every primary for them.
 */
import type { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/api/api.js';
import { Client } from '../../runtime/client/client.js';
import type { WorkerOptions } from '../../runtime/core/worker.js';
import { Keys } from '../../runtime/redis/keys.js';
import { type RedisCluster, startRedisCluster } from '../../scripts/redis-cluster.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';

let cluster: RedisCluster;
let redis: Cluster;
let keys: Keys;
let runtime: InProcessRuntime | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3, replicas: 0 });
  redis = cluster.connect();
  keys = Keys.for(redis);
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(async () => {
  await Promise.all(redis.nodes('master').map((node) => node.flushall()));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((each) => each.close()));
  await runtime?.stop();
  runtime = undefined;
});

function worker(name: string, options: WorkerOptions, runs: unknown[][] = []) {
  const cls = class {
    static sidepunchOptions = options;
    perform(...args: unknown[]) {
      runs.push(args);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

function newClients(count: number, clock?: InProcessRuntime['clock']): Client[] {
  const made = Array.from({ length: count }, () => new Client({ redis: cluster.url, clock }));
  clients.push(...made);
  return made;
}

describe('unique and debounced jobs on a Redis Cluster', () => {
  it('1,000 concurrent pushes of one unique job from 10 clients enqueue exactly one; the others name its jid', async () => {
    const Sync = worker('Sync', { unique: { for: 60 } });
    const many = newClients(10);
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => many[i % 10]!.pushOutcome({ class: Sync, args: ['hot'] })),
    );
    const pushed = outcomes.filter((o) => o.pushed);
    expect(pushed).toHaveLength(1);
    const jid = pushed[0]!.pushed ? pushed[0]!.jid : '';
    expect(new Set(outcomes.filter((o) => !o.pushed).map((o) => ('heldBy' in o ? o.heldBy : '')))).toEqual(
      new Set([jid]),
    );
    expect(await redis.llen(keys.queue('default'))).toBe(1);
  });

  it('1,000 concurrent edits of one debounced job from 10 clients leave one waiting job; its key shares the schedule slot', async () => {
    const Hot = worker('Hot', { debounce: { for: 30, by: [0] } });
    const many = newClients(10);
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => many[i % 10]!.pushOutcome({ class: Hot, args: ['hot', i] })),
    );
    expect(outcomes.filter((o) => 'replaced' in o)).toHaveLength(999);
    expect(await redis.zcard(keys.schedule)).toBe(1);
    const [debounceKey] = await Promise.all(
      redis.nodes('master').map((node) => node.keys('sidepunch:debounce:*')),
    ).then((found) => found.flat());
    expect(debounceKey).toContain('{schedule}');
  });

  it('the runtime runs the debounced job once with the last arguments, and releases a unique lock on success', async () => {
    const recounts: unknown[][] = [];
    const syncs: unknown[][] = [];
    const Recount = worker('Recount', { debounce: { for: 30, by: [0] } }, recounts);
    const Sync = worker('Sync', { unique: { for: 600 } }, syncs);
    runtime = startInProcess(cluster.url, { Recount, Sync });
    const [c] = newClients(1, runtime.clock);
    await c!.push({ class: Recount, args: ['c1', 'edit 1'] });
    runtime.clock.advance(10_000);
    await c!.push({ class: Recount, args: ['c1', 'edit 2'] });
    runtime.clock.advance(40_000);
    let written = runtime.next('complete:flushed');
    await runtime.launcher.scheduler.tick();
    await written;
    expect(recounts).toEqual([['c1', 'edit 2']]);

    written = runtime.next('complete:flushed');
    expect((await c!.pushOutcome({ class: Sync, args: ['x'] })).pushed).toBe(true);
    await written;
    expect(syncs).toEqual([['x']]);
    expect((await c!.pushOutcome({ class: Sync, args: ['x'] })).pushed).toBe(true);
  });

  it("clearing a queue or the dead set releases its jobs' locks, whichever primaries hold them", async () => {
    const Sync = worker('Sync', { unique: { for: 600 } });
    const [c] = newClients(1);
    await c!.pushBulk({ class: Sync, args: Array.from({ length: 50 }, (_, i) => [i]) });
    const dead = await c!.pushOutcome({ class: Sync, args: ['dead'], in: 60 });
    const api = new SidepunchApi({ redis: cluster.url });
    try {
      // moved by hand: the API's kill moves across slots (schedule, dead), which a cluster refuses
      const [entry] = await api.scheduled.page(0, 1);
      await redis.zrem(keys.schedule, entry!.value);
      await redis.zadd(keys.dead, 1, entry!.value);
      await api.queue('default').clear();
      await api.dead.clear();
      expect(await redis.exists(keys.queue('default'))).toBe(0);
      expect(await redis.exists(keys.dead)).toBe(0);
      expect(await redis.sismember(keys.queues, 'default')).toBe(0);
      for (const args of [[0], [49], ['dead']])
        expect((await c!.pushOutcome({ class: Sync, args })).pushed).toBe(true);
      expect(dead.pushed).toBe(true);
    } finally {
      await api.close();
    }
  });
});

describe('limiters on a Redis Cluster', () => {
  it('a concurrent limit holds across the fleet; the data API finds its leases on whichever primary holds them', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const started: [string, number][] = [];
    const Slow = class {
      static sidepunchOptions: WorkerOptions = {
        limit: { kind: 'concurrent', limit: 2, by: [0], wait: 0, backoff: 5 },
      };
      async perform(customer: string, n: number) {
        started.push([customer, n]);
        await gate;
      }
    };
    Object.defineProperty(Slow, 'name', { value: 'Slow' });
    runtime = startInProcess(cluster.url, { Slow }, { concurrency: 10 });
    const [c] = newClients(1, runtime.clock);
    let written = 0;
    const rescheduled = new Promise<void>((resolve) => {
      runtime!.launcher.events.on('complete:flushed', ({ count }) => {
        written += count;
        if (written >= 3) resolve();
      });
    });
    await c!.pushBulk({
      class: Slow,
      args: [
        ['a', 1],
        ['a', 2],
        ['a', 3],
        ['a', 4],
        ['a', 5],
        ['b', 1],
      ],
    });
    await rescheduled;
    await expect.poll(() => started.length).toBe(3);
    expect(started.filter(([customer]) => customer === 'a')).toHaveLength(2);
    expect(await redis.zcard(keys.schedule)).toBe(3);

    const api = new SidepunchApi({ redis: cluster.url, clock: runtime.clock });
    try {
      const [slow] = await api.limiters.all();
      expect(slow).toMatchObject({ name: 'Slow', kind: 'concurrent', inUse: 3, keys: 2, reschedules: 3 });
    } finally {
      open();
      await api.close();
    }
  });
});
