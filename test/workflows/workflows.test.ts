/**
 * Workflows on a real Redis with the runtime in the test's process (docs/workflows.md): a parent runs after all its
 * children with their results; a child failing once; a dead child failing its parent (default) or ignored; a
 * depth-3 tree; fan-out 1,000; a child run twice counted once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/api/api.js';
import { type ClientSource, setStubClient, workerStub } from '../../runtime/client/stub.js';
import type { ChildResults } from '../../runtime/core/flow.js';
import { clientMiddleware } from '../../runtime/middleware/client-middleware.js';
import { pushHooks } from '../../runtime/middleware/push-hooks.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
let runtime: InProcessRuntime | undefined;
let previousSource: ClientSource | undefined;

/** What each parent saw, by its label. */
const seen = new Map<string, unknown>();
const runs = new Map<string, number>();

// Every push goes to the test's Redis, from the first (the default client would reach 127.0.0.1:6379).
beforeEach(() => {
  fixed = false;
  seen.clear();
  runs.clear();
  previousSource = setStubClient(() => fixture.client);
});

afterEach(async () => {
  clientMiddleware.clear();
  pushHooks.clear();
  await runtime?.stop();
  runtime = undefined;
  if (previousSource) setStubClient(previousSource);
  previousSource = undefined;
});

/** Whether a 'die-until-fixed' child succeeds now (its bug fixed, it is retried from the dead set). */
let fixed = false;
class Square {
  static sidepunchOptions = { retry: 1 };
  perform(n: number, mode: 'ok' | 'fail-once' | 'die' | 'die-until-fixed' = 'ok') {
    const key = `${n}:${mode}`;
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    if (mode === 'die' || (mode === 'fail-once' && run === 1)) throw new Error(`square ${n} fails`);
    if (mode === 'die-until-fixed' && !fixed) throw new Error(`square ${n} fails until fixed`);
    return n * n;
  }
}
class Total {
  declare readonly children: ChildResults<Square>;
  perform(label: string) {
    const sum = this.children.reduce((acc, child) => acc + child.result, 0);
    seen.set(label, { sum, classes: [...new Set(this.children.map((child) => child.class))] });
    return sum;
  }
}
/** Fails its first run: its retry must see the children again. */
class Flaky {
  static sidepunchOptions = { retry: 1 };
  declare readonly children: ChildResults<Square>;
  perform(label: string) {
    const run = (runs.get(label) ?? 0) + 1;
    runs.set(label, run);
    seen.set(
      `${label}:${run}`,
      this.children.map((child) => child.result),
    );
    if (run === 1) throw new Error('the parent fails once');
  }
}
class Lenient extends Total {
  static sidepunchOptions = { childDeath: 'ignore' as const };
}
class Top {
  declare readonly children: ChildResults<{ Total: Total; Square: Square }>;
  perform(label: string) {
    seen.set(
      label,
      this.children.map((child) =>
        child.class === 'Total' ? `total ${child.result}` : `square ${child.result}`,
      ),
    );
  }
}

const jobs = {
  Square: workerStub<[n: number, mode?: 'ok' | 'fail-once' | 'die' | 'die-until-fixed'], 'Square'>('Square', {
    retry: 1,
  }),
  Total: workerStub<[label: string], 'Total', 'Square'>('Total'),
  Lenient: workerStub<[label: string], 'Lenient', 'Square'>('Lenient', { childDeath: 'ignore' }),
  Top: workerStub<[label: string], 'Top', 'Total' | 'Square'>('Top'),
  Flaky: workerStub<[label: string], 'Flaky', 'Square'>('Flaky', { retry: 1 }),
};

function start(): InProcessRuntime {
  runtime = startInProcess(fixture.server.url, { Square, Total, Lenient, Top, Flaky }, { concurrency: 10 });
  return runtime;
}

const states = async (root: string) => fixture.redis.hgetall(`sidepunch:flow:${root}:state`);

describe('workflows', () => {
  it('a parent runs once after all its children, with their results in order', async () => {
    start();
    const root = await jobs.Total.after(
      [1, 2, 3].map((n) => jobs.Square.child(n)),
      'three',
    );
    await expect.poll(() => seen.get('three'), { timeout: 8000 }).toEqual({ sum: 14, classes: ['Square'] });
    await expect.poll(async () => (await states(root))[root]).toBe('succeeded');
    expect(Object.values(await states(root)).sort()).toEqual(Array(4).fill('succeeded'));
    // Done: the records stay 7 days for the dashboard, no longer 30.
    const week = 7 * 24 * 3600;
    for (const key of [
      `sidepunch:flow:${root}:tree`,
      `sidepunch:flow:${root}:state`,
      `sidepunch:flow:${root}`,
    ])
      expect(await fixture.redis.ttl(key)).toBeLessThanOrEqual(week);
  });

  it('a parent that fails once sees its children again on its retry', async () => {
    const { launcher, clock } = start();
    await jobs.Flaky.after([jobs.Square.child(2), jobs.Square.child(3)], 'flaky');
    await expect.poll(() => fixture.redis.zcard('retry'), { timeout: 8000 }).toBe(1);
    clock.advance(120_000);
    expect(await launcher.scheduler.tick()).toBe(1);
    await expect.poll(() => seen.get('flaky:2'), { timeout: 8000 }).toEqual([4, 9]);
    expect(seen.get('flaky:1')).toEqual([4, 9]);
  });

  it('the children are ordinary Sidekiq jobs naming their workflow and parent; the parent waits outside any queue', async () => {
    const root = await jobs.Total.after([jobs.Square.child(5)], 'fields');
    const [raw] = await fixture.redis.lrange('queue:default', 0, -1);
    expect(JSON.parse(raw!)).toMatchObject({
      class: 'Square',
      args: [5],
      queue: 'default',
      retry: 1,
      flow: root,
      flow_parent: root,
    });
    expect(await fixture.redis.llen('queue:default')).toBe(1);
    expect(await fixture.redis.hget(`sidepunch:flow:${root}`, 'pending')).toBe('1');
    expect(await fixture.redis.zrange('sidepunch:flows', 0, -1)).toEqual([root]);
  });

  it('a node with Infinity in its arguments fails the push, naming it and the path; nothing is written', async () => {
    await expect(
      jobs.Total.after([jobs.Square.child(1), jobs.Square.child(Number.POSITIVE_INFINITY)], 't'),
    ).rejects.toThrow(
      'Square has arguments JSON cannot carry: args[0] is Infinity, which JSON turns into null',
    );
    expect(await fixture.redis.llen('queue:default')).toBe(0);
    expect(await fixture.redis.zcard('sidepunch:flows')).toBe(0);
  });

  it('client middleware sees every job of a workflow, and push hooks the push as one call', async () => {
    const calls: string[] = [];
    pushHooks.add(async (call, next) => {
      calls.push(`${call.className} ×${call.count}`);
      return next();
    });
    clientMiddleware.add(async (job, next, context) => {
      job.tenant = 'acme';
      job.jid = 'a middleware cannot move a job in its workflow';
      calls.push(`${context.className} in ${context.queue}`);
      return next();
    });
    const root = await jobs.Top.after(
      [jobs.Total.childAfter([jobs.Square.child(2), jobs.Square.child(3)], 'inner'), jobs.Square.child(4)],
      'outer',
    );
    const leaves = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw));
    expect(leaves).toHaveLength(3);
    for (const leaf of leaves) {
      expect(leaf).toMatchObject({ class: 'Square', tenant: 'acme', flow: root });
      expect(leaf.jid).toMatch(/^[0-9a-f]{24}$/);
    }
    start();
    expect(calls).toEqual([
      'Top ×5',
      'Top in default',
      'Total in default',
      'Square in default',
      'Square in default',
      'Square in default',
    ]);
    await expect.poll(() => seen.get('outer'), { timeout: 8000 }).toEqual(['total 13', 'square 16']);
    const tree = JSON.parse((await fixture.redis.get(`sidepunch:flow:${root}:tree`)) ?? 'null');
    expect(tree).toMatchObject({ jid: root, class: 'Top' });

    // A middleware that stops one job stops the workflow: nothing is written.
    clientMiddleware.add(async (job, next) => (job.class === 'Square' && job.args[0] === 7 ? false : next()));
    await fixture.redis.flushall();
    await expect(jobs.Total.after([jobs.Square.child(6), jobs.Square.child(7)], 'stopped')).rejects.toThrow(
      "client middleware stopped Square's job: a workflow is pushed whole or not at all",
    );
    expect(await fixture.redis.keys('*')).toEqual([]);
  });

  it('a child failing once: the parent runs after its retry succeeds', async () => {
    const { launcher, clock } = start();
    const root = await jobs.Total.after([jobs.Square.child(2), jobs.Square.child(3, 'fail-once')], 'retry');
    await expect.poll(() => fixture.redis.zcard('retry'), { timeout: 8000 }).toBe(1);
    await expect
      .poll(async () => Object.values(await states(root)).sort())
      .toEqual(['retrying', 'succeeded', 'waiting']);
    expect(seen.has('retry')).toBe(false);
    clock.advance(120_000);
    expect(await launcher.scheduler.tick()).toBe(1);
    await expect.poll(() => seen.get('retry'), { timeout: 8000 }).toEqual({ sum: 13, classes: ['Square'] });
  });

  it('a dead child fails its parent (default): the parent goes to the dead set naming the child, and never runs', async () => {
    start();
    const root = await jobs.Total.after(
      [jobs.Square.child(2), jobs.Square.set({ retry: 0 }).child(3, 'die')],
      'dies',
    );
    await expect.poll(() => fixture.redis.zcard('dead'), { timeout: 8000 }).toBe(2);
    const dead = (await fixture.redis.zrange('dead', 0, -1)).map((raw) => JSON.parse(raw));
    const parent = dead.find((job) => job.class === 'Total');
    expect(parent).toMatchObject({ jid: root, error_class: 'Sidepunch::ChildDied', args: ['dies'] });
    expect(parent.error_message).toMatch(/^child Square [0-9a-f]{24} went to the dead set$/);
    await expect.poll(async () => (await states(root))[root]).toBe('dead');
    expect(seen.has('dies')).toBe(false);
  });

  it('a dead child retried from the dead set stores its result: the parent, retried after it, sees every child', async () => {
    start();
    const root = await jobs.Total.after(
      [jobs.Square.child(2), jobs.Square.set({ retry: 0 }).child(3, 'die-until-fixed')],
      'recovered',
    );
    await expect.poll(() => fixture.redis.zcard('dead'), { timeout: 8000 }).toBe(2);
    await expect.poll(async () => (await states(root))[root]).toBe('dead');
    fixed = true;
    const api = new SidepunchApi({ redis: fixture.redis });
    const deadJob = async (className: string) => {
      for await (const entry of api.dead) if (entry.klass === className) return entry;
      throw new Error(`no dead ${className}`);
    };
    expect(await (await deadJob('Square')).retry()).toBe(true);
    await expect
      .poll(async () => Object.values(await states(root)).sort(), { timeout: 8000 })
      .toEqual(['dead', 'succeeded', 'succeeded']);
    expect(seen.has('recovered')).toBe(false); // not woken: its death is a decision, which a retry takes back
    expect(await (await deadJob('Total')).retry()).toBe(true);
    await expect
      .poll(() => seen.get('recovered'), { timeout: 8000 })
      .toEqual({ sum: 13, classes: ['Square'] });
    await expect.poll(async () => (await states(root))[root]).toBe('succeeded');
  });

  it("a dead child under childDeath: 'ignore' is left out of the parent's children", async () => {
    start();
    await jobs.Lenient.after(
      [jobs.Square.child(2), jobs.Square.set({ retry: 0 }).child(3, 'die')],
      'lenient',
    );
    await expect.poll(() => seen.get('lenient'), { timeout: 8000 }).toEqual({ sum: 4, classes: ['Square'] });
  });

  it('depth 3: a dead grandchild fails its parent and the root', async () => {
    start();
    const root = await jobs.Top.after(
      [
        jobs.Total.childAfter([jobs.Square.set({ retry: 0 }).child(1, 'die')], 'middle'),
        jobs.Square.child(9),
      ],
      'top',
    );
    await expect.poll(async () => (await states(root))[root], { timeout: 8000 }).toBe('dead');
    expect(await fixture.redis.zcard('dead')).toBe(3);
  });

  it('depth 3 with two classes of children: results discriminated by class', async () => {
    start();
    await jobs.Top.after(
      [
        jobs.Total.childAfter([jobs.Square.child(1), jobs.Square.child(2)], 'a'),
        jobs.Square.child(4),
        jobs.Total.childAfter([jobs.Square.child(3)], 'b'),
      ],
      'depth3',
    );
    await expect
      .poll(() => seen.get('depth3'), { timeout: 8000 })
      .toEqual(['total 5', 'square 16', 'total 9']);
  });

  it('fan-out 1,000: the parent sees every result', async () => {
    start();
    const children = Array.from({ length: 1000 }, (_, i) => jobs.Square.child(i));
    const root = await jobs.Total.after(children, 'thousand');
    const expected = Array.from({ length: 1000 }, (_, i) => i * i).reduce((a, b) => a + b, 0);
    await expect
      .poll(() => seen.get('thousand'), { timeout: 20_000 })
      .toEqual({ sum: expected, classes: ['Square'] });
    await expect.poll(async () => (await states(root))[root]).toBe('succeeded');
  });

  it('a child run twice (a copy rescued while it still ran) is counted once', async () => {
    // Two children; one of them twice before the runtime starts: a double count would push the parent early.
    const root = await jobs.Total.after([jobs.Square.child(2), jobs.Square.child(3, 'fail-once')], 'twice');
    const raws = await fixture.redis.lrange('queue:default', 0, -1);
    const okCopy = raws.find((raw) => JSON.parse(raw).args[0] === 2)!;
    await fixture.redis.lpush('queue:default', okCopy);
    const { launcher, clock } = start();
    await expect.poll(() => runs.get('2:ok'), { timeout: 8000 }).toBe(2);
    await expect.poll(() => fixture.redis.zcard('retry')).toBe(1);
    await expect.poll(() => fixture.redis.hget(`sidepunch:flow:${root}`, 'pending')).toBe('1');
    expect(seen.has('twice')).toBe(false);
    clock.advance(120_000);
    await launcher.scheduler.tick();
    await expect.poll(() => seen.get('twice'), { timeout: 8000 }).toEqual({ sum: 13, classes: ['Square'] });
  });
});
