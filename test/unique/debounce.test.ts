import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/client/client.js';
import { setStubClient, workerStub } from '../../runtime/client/stub.js';
import { FakeClock } from '../../runtime/core/clock.js';
import { uniqueDigest } from '../../runtime/core/unique.js';
import type { WorkerOptions } from '../../runtime/core/worker.js';
import { clientMiddleware } from '../../runtime/middleware/client-middleware.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const START = Date.UTC(2026, 10, 28, 12, 0, 0);
let runtime: InProcessRuntime | undefined;
const clients: Client[] = [];

afterEach(async () => {
  clientMiddleware.clear();
  await Promise.all(clients.splice(0).map((each) => each.close()));
  await runtime?.stop();
  runtime = undefined;
});

function worker(name: string, options: WorkerOptions, runs: string[] = []) {
  const cls = class {
    static sidepunchOptions = options;
    perform(...args: unknown[]) {
      runs.push(JSON.stringify(args));
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

function newClient(clock: FakeClock): Client {
  const client = new Client({ redis: fixture.server.url, clock });
  clients.push(client);
  return client;
}

/** The schedule set as [payload, run-at seconds]. */
async function scheduled(): Promise<[Record<string, unknown>, number][]> {
  const flat = await fixture.redis.zrange('schedule', 0, -1, 'WITHSCORES');
  const out: [Record<string, unknown>, number][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([JSON.parse(flat[i]!), Number(flat[i + 1])]);
  return out;
}

const Recount = worker('Recount', { debounce: { for: 30 } });
const seconds = (ms: number) => ms / 1000;

describe('debounce: pushes', () => {
  it('a push waits `for` seconds as an ordinary scheduled job; a push within the window replaces its arguments and moves its time', async () => {
    const clock = new FakeClock(START);
    const c = newClient(clock);
    const first = await c.pushOutcome({ class: Recount, args: ['counter-1', 1] });
    expect(first).toEqual({ pushed: true, jid: expect.any(String) });
    let [[job, at]] = (await scheduled()) as [[Record<string, unknown>, number]];
    // Sidekiq's own fields only: Ruby Sidekiq reads it as any scheduled job
    expect(Object.keys(job).sort()).toEqual(['args', 'class', 'created_at', 'jid', 'queue', 'retry']);
    expect(at).toBe(seconds(START) + 30);

    clock.advance(10_000);
    const second = await c.pushOutcome({ class: Recount, args: ['counter-1', 1] });
    expect(second).toEqual({
      pushed: true,
      jid: expect.any(String),
      replaced: first.pushed ? first.jid : '',
      at: seconds(START) + 40,
    });
    const all = await scheduled();
    expect(all).toHaveLength(1);
    [[job, at]] = all as [[Record<string, unknown>, number]];
    expect(job.jid).toBe(second.pushed ? second.jid : '');
    expect(at).toBe(seconds(START) + 40);
  });

  it('`by` picks the arguments that make a job the same; the last push’s other arguments win', async () => {
    const clock = new FakeClock(START);
    const c = newClient(clock);
    const ByCounter = worker('ByCounter', { debounce: { for: 5, by: [0] } });
    await c.push({ class: ByCounter, args: ['c1', 'edit 1'] });
    await c.push({ class: ByCounter, args: ['c2', 'edit 1'] });
    await c.push({ class: ByCounter, args: ['c1', 'edit 2'] });
    const args = (await scheduled()).map(([job]) => job.args);
    expect(args).toEqual(
      expect.arrayContaining([
        ['c2', 'edit 1'],
        ['c1', 'edit 2'],
      ]),
    );
    expect(args).toHaveLength(2);
  });

  it("keep: 'first' keeps the pending job's arguments; extend: false keeps its time (a throttle)", async () => {
    const clock = new FakeClock(START);
    const c = newClient(clock);
    const First = worker('First', { debounce: { for: 20, keep: 'first', by: [0] } });
    const Throttle = worker('Throttle', { debounce: { for: 20, keep: 'first', extend: false, by: [0] } });
    const Replace = worker('Replace', { debounce: { for: 20, extend: false, by: [0] } });
    const firsts = await Promise.all(
      [First, Throttle, Replace].map((cls) => c.pushOutcome({ class: cls, args: ['k', 1] })),
    );
    clock.advance(5_000);
    const again = await Promise.all(
      [First, Throttle, Replace].map((cls) => c.pushOutcome({ class: cls, args: ['k', 2] })),
    );
    const jid = (i: number) => (firsts[i]!.pushed ? firsts[i]!.jid : '');
    expect(again[0]).toEqual({ pushed: false, reason: 'kept', pending: jid(0), at: seconds(START) + 25 });
    expect(again[1]).toEqual({ pushed: false, reason: 'kept', pending: jid(1), at: seconds(START) + 20 });
    expect(again[2]).toMatchObject({ pushed: true, replaced: jid(2), at: seconds(START) + 20 });
    // a kept push resolves to undefined from performAsync, as a dropped unique push
    expect(await c.push({ class: First, args: ['k', 3] })).toBeUndefined();
    const byClass = new Map((await scheduled()).map(([job, at]) => [job.class, { args: job.args, at }]));
    expect(byClass.get('First')).toEqual({ args: ['k', 1], at: seconds(START) + 25 });
    expect(byClass.get('Throttle')).toEqual({ args: ['k', 1], at: seconds(START) + 20 });
    expect(byClass.get('Replace')).toEqual({ args: ['k', 2], at: seconds(START) + 20 });
  });

  it('performIn and performAt give the job its own time; a later push moves it to that push’s time', async () => {
    const clock = new FakeClock(START);
    const c = newClient(clock);
    await c.push({ class: Recount, args: ['x'], in: 300 });
    expect((await scheduled())[0]![1]).toBe(seconds(START) + 300);
    await c.push({ class: Recount, args: ['x'] });
    expect((await scheduled())[0]![1]).toBe(seconds(START) + 30);
  });

  it('a stub tells enqueued, replaced and kept apart; set({ debounce: false }) pushes at once', async () => {
    const clock = new FakeClock(START);
    const c = newClient(clock);
    const previous = setStubClient(() => c);
    try {
      const stub = workerStub<[string]>('Edited', { debounce: { for: 10 } });
      const first = await stub.withOutcome.performAsync('a');
      const second = await stub.withOutcome.performAsync('a');
      expect(first).toEqual({ pushed: true, jid: expect.any(String) });
      expect(second).toMatchObject({ pushed: true, replaced: first.pushed ? first.jid : '' });
      const kept = await stub.set({ debounce: { for: 10, keep: 'first' } }).withOutcome.performAsync('a');
      expect(kept).toMatchObject({ pushed: false, reason: 'kept' });
      expect(await stub.set({ debounce: false }).performAsync('a')).toEqual(expect.any(String));
      expect(await fixture.redis.llen('queue:default')).toBe(1);
      expect(await fixture.redis.zcard('schedule')).toBe(1);
    } finally {
      setStubClient(previous);
    }
  });

  it('a bulk push folds its own copies in order, in one round trip', async () => {
    const c = newClient(new FakeClock(START));
    const ByCounter = worker('BulkCounter', { debounce: { for: 5, by: [0] } });
    const outcomes = await c.pushBulkOutcomes({
      class: ByCounter,
      args: [
        ['c1', 1],
        ['c2', 1],
        ['c1', 2],
      ],
    });
    expect(outcomes.map((o) => ('replaced' in o ? 'replaced' : o.pushed ? 'enqueued' : 'kept'))).toEqual([
      'enqueued',
      'enqueued',
      'replaced',
    ]);
    expect(outcomes[2]).toMatchObject({ replaced: outcomes[0]!.pushed ? outcomes[0]!.jid : '' });
    expect((await scheduled()).map(([job]) => job.args).sort()).toEqual([
      ['c1', 2],
      ['c2', 1],
    ]);
  });

  it('through client middleware: the job still waits, and the digest is of the arguments as the middleware left them', async () => {
    const clock = new FakeClock(START);
    const c = newClient(clock);
    clientMiddleware.add((job, next) => {
      job.args = [String(job.args[0]).toLowerCase(), ...job.args.slice(1)];
      job.tenant = 'acme';
      return next();
    });
    const first = await c.pushOutcome({ class: Recount, args: ['C1'] });
    const second = await c.pushOutcome({ class: Recount, args: ['c1'] });
    expect(second).toMatchObject({ pushed: true, replaced: first.pushed ? first.jid : '' });
    const [[job, at]] = (await scheduled()) as [[Record<string, unknown>, number]];
    expect(job).toMatchObject({ args: ['c1'], tenant: 'acme' });
    expect(job.enqueued_at).toBeUndefined();
    expect(at).toBe(seconds(START) + 30);
  });

  it('a malformed option, or debounce with unique, is a clear one-line error', async () => {
    const c = newClient(new FakeClock(START));
    const Bad = worker('Bad', { debounce: { for: 10, keep: 'middle' as 'last' } });
    await expect(c.push({ class: Bad, args: [] })).rejects.toThrow(
      'job Bad: "debounce" "keep" must be "last" or "first"',
    );
    const Both = worker('Both', { debounce: { for: 10 }, unique: { for: 10 } });
    await expect(c.push({ class: Both, args: [] })).rejects.toThrow(
      'job Both: "unique" and "debounce" do not go together; set one of them to false',
    );
    expect(await fixture.redis.dbsize()).toBe(0);
  });

  it('10 clients pushing 1,000 edits of one job at once leave one pending job, with one of the pushes’ arguments', async () => {
    const clock = new FakeClock(START);
    const many = Array.from({ length: 10 }, () => newClient(clock));
    const Hot = worker('Hot', { debounce: { for: 30, by: [0] } });
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => many[i % 10]!.pushOutcome({ class: Hot, args: ['hot', i] })),
    );
    expect(outcomes.filter((o) => o.pushed && !('replaced' in o))).toHaveLength(1);
    expect(outcomes.filter((o) => 'replaced' in o)).toHaveLength(999);
    const [[job]] = (await scheduled()) as [[Record<string, unknown>, number]];
    expect(await fixture.redis.zcard('schedule')).toBe(1);
    // The pending job is the last one a push saved: every other jid was replaced exactly once.
    const replaced = new Set(outcomes.map((o) => ('replaced' in o ? o.replaced : '')));
    const jids = outcomes.map((o) => (o.pushed ? o.jid : ''));
    expect(jids.filter((jid) => !replaced.has(jid))).toEqual([job.jid]);
  });
});

describe('debounce: the pending job through its life', () => {
  it('runs once with the last arguments after the last push; a push after it left the schedule set starts anew', async () => {
    const runs: string[] = [];
    const Recompute = worker('Recompute', { debounce: { for: 30, by: [0] } }, runs);
    runtime = startInProcess(fixture.server.url, { Recompute });
    const c = newClient(runtime.clock);
    await c.push({ class: Recompute, args: ['c1', 'edit 1'] });
    runtime.clock.advance(20_000);
    await c.push({ class: Recompute, args: ['c1', 'edit 2'] });
    runtime.clock.advance(20_000); // 40 s: the first push's time, not yet the second's
    expect(await runtime.launcher.scheduler.tick()).toBe(0);
    runtime.clock.advance(10_000);
    const written = runtime.next('complete:flushed');
    expect(await runtime.launcher.scheduler.tick()).toBe(1);
    await written;
    expect(runs).toEqual([JSON.stringify(['c1', 'edit 2'])]);

    const next = await c.pushOutcome({ class: Recompute, args: ['c1', 'edit 3'] });
    expect(next).toEqual({ pushed: true, jid: expect.any(String) });
    expect(await fixture.redis.zcard('schedule')).toBe(1);
  });

  it('deleting the pending job through the data API lets the next push schedule a new one', async () => {
    const clock = new FakeClock(START);
    const c = newClient(clock);
    await c.push({ class: Recount, args: ['d'] });
    const [payload] = await fixture.redis.zrange('schedule', 0, -1);
    await fixture.redis.zrem('schedule', payload!);
    expect(await c.pushOutcome({ class: Recount, args: ['d'] })).toEqual({
      pushed: true,
      jid: expect.any(String),
    });
    const key = `sidepunch:debounce:${uniqueDigest('Recount', 'default', ['d'])}`;
    expect(await fixture.redis.pttl(key)).toBeGreaterThan(30_000);
  });
});
