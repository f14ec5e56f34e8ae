/**
 * Batches on a real Redis with the runtime in the test's process (docs/batches.md): callbacks fire once each, with
 * the status; failures, retries, deaths; jobs added by a job of the batch; nested batches; a second run of a job
 * counted once; the data API's view.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/api/api.js';
import type { Client } from '../../runtime/client/client.js';
import { type ClientSource, setStubClient, workerStub } from '../../runtime/client/stub.js';
import type { BatchCallbackInfo, BatchHandle } from '../../runtime/core/batch-scope.js';
import type { WorkerClass } from '../../runtime/core/worker.js';
import { clientMiddleware } from '../../runtime/middleware/client-middleware.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
let runtime: InProcessRuntime | undefined;
let previousSource: ClientSource | undefined;

afterEach(async () => {
  clientMiddleware.clear();
  letHeldFinish();
  await runtime?.stop();
  runtime = undefined;
  if (previousSource) setStubClient(previousSource);
  previousSource = undefined;
});

/** Every callback run: its class, its arguments and the status it was given. */
const callbacks: { name: string; args: unknown[]; status?: BatchCallbackInfo }[] = [];
/** How often each (mode, id) ran. */
const runs = new Map<string, number>();

class Item {
  static sidepunchOptions = { retry: 1 };
  batch?: BatchHandle;
  async perform(mode: 'ok' | 'fail-once' | 'die' | 'grow', id: number) {
    const key = `${mode}:${id}`;
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    if (mode === 'fail-once' && run === 1) throw new Error('first run fails');
    if (mode === 'die') throw new Error('always fails');
    if (mode === 'grow') {
      await this.batch!.jobs(async () => {
        await jobs.Item.performAsync('ok', id * 100 + 1);
        await jobs.Item.performAsync('ok', id * 100 + 2);
      });
    }
  }
}
class Dies {
  static sidepunchOptions = { retry: 0 };
  perform() {
    throw new Error('straight to the dead set');
  }
}
/** A job that runs until the test lets it finish. */
let letHeldFinish: () => void = () => {};
let heldGate = Promise.resolve();
class Held {
  async perform() {
    await heldGate;
  }
}
function holdJobs(): void {
  heldGate = new Promise((resolve) => {
    letHeldFinish = resolve;
  });
}
function callback(name: string): WorkerClass {
  const cls = class {
    batchCallback?: BatchCallbackInfo;
    perform(...args: unknown[]) {
      callbacks.push({ name, args, status: this.batchCallback });
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
/** A child batch's success callback that starts the next step in the parent batch (Sidekiq Pro's workflows). */
class NextStep {
  batch?: BatchHandle;
  batchCallback?: BatchCallbackInfo;
  async perform(step: string) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await this.batch!.jobs(() => jobs.Item.performAsync('ok', 2));
    callbacks.push({ name: 'NextStep', args: [step, this.batch!.bid], status: this.batchCallback });
  }
}
const OnComplete = callback('OnComplete');
const OnSuccess = callback('OnSuccess');
const OnDeath = callback('OnDeath');

const jobs = {
  Item: workerStub<['ok' | 'fail-once' | 'die' | 'grow', number]>('Item', { retry: 1 }),
  Dies: workerStub<[]>('Dies', { retry: 0 }),
  Held: workerStub<[]>('Held'),
  OnComplete: workerStub<[string]>('OnComplete'),
  OnSuccess: workerStub<[string]>('OnSuccess'),
  OnDeath: workerStub<[string]>('OnDeath'),
  NextStep: workerStub<[string]>('NextStep'),
};

function start(): InProcessRuntime {
  callbacks.length = 0;
  runs.clear();
  previousSource = setStubClient(() => fixture.client);
  runtime = startInProcess(
    fixture.server.url,
    { Item, Dies, Held, OnComplete, OnSuccess, OnDeath, NextStep },
    { concurrency: 10 },
  );
  return runtime;
}

function newBatch(client: Client, description = 'test batch') {
  return client.batch({
    description,
    onComplete: jobs.OnComplete.with(description),
    onSuccess: jobs.OnSuccess.with(description),
    onDeath: jobs.OnDeath.with(description),
  });
}

const fired = (name: string) => callbacks.filter((run) => run.name === name);

/** Waits for the callbacks seen to be exactly `expected` (by name) and for the queues to be drained. */
async function settled(expected: string[]) {
  await expect
    .poll(() => callbacks.map((run) => run.name).sort(), { timeout: 8000 })
    .toEqual(expected.sort());
  await expect.poll(() => fixture.redis.llen('queue:default')).toBe(0);
}

describe('batches', () => {
  it('20 jobs: on-complete and on-success each run once, with the status; each job carries the bid', async () => {
    start();
    const batch = newBatch(fixture.client, 'twenty');
    await batch.jobs(() => jobs.Item.performBulk(Array.from({ length: 20 }, (_, i) => ['ok', i] as const)));
    await settled(['OnComplete', 'OnSuccess']);
    expect(fired('OnSuccess')[0]).toMatchObject({
      args: ['twenty'],
      status: { bid: batch.bid, event: 'success', total: 20, pending: 0, failures: 0 },
    });
    const api = new SidepunchApi({ redis: fixture.redis });
    const record = await api.batches.get(batch.bid);
    expect(record).toMatchObject({ description: 'twenty', total: 20, pending: 0, failures: 0, open: 0 });
    expect(record?.successAt).toBeGreaterThan(0);
    expect(record?.completeAt).toBeGreaterThan(0);
    expect((await api.batches.all()).map((b) => b.bid)).toEqual([batch.bid]);
  });

  it('pushes a jobs block starts without awaiting them (forEach) are waited for: the batch does not finish without them', async () => {
    start();
    // A client middleware that awaits (a tenant lookup, say): the pushes are still under way when the block returns.
    clientMiddleware.add(async (_job: unknown, next: () => Promise<unknown>) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await next();
    });
    const batch = newBatch(fixture.client, 'not awaited');
    await batch.jobs(() => {
      for (const id of [1, 2, 3]) void jobs.Item.performAsync('ok', id);
    });
    expect(await fixture.redis.hget(`sidepunch:batch:${batch.bid}`, 'total')).toBe('3');
    await settled(['OnComplete', 'OnSuccess']);
    expect(fired('OnSuccess')[0]!.status).toMatchObject({ total: 3, pending: 0, failures: 0 });
    expect([...runs.keys()].sort()).toEqual(['ok:1', 'ok:2', 'ok:3']);
  });

  it('a push that fails inside a jobs block, unawaited, still rejects its own promise and the block closes', async () => {
    start();
    clientMiddleware.add(async (job: { args: unknown[] }, next: () => Promise<unknown>) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (job.args[1] === 2) throw new Error('middleware refuses job 2');
      await next();
    });
    const batch = newBatch(fixture.client, 'one refused');
    let refused: Promise<unknown> | undefined;
    await batch.jobs(() => {
      void jobs.Item.performAsync('ok', 1);
      // Its own promise rejects; a handler attached only after the block would leave it unhandled meanwhile.
      refused = jobs.Item.performAsync('ok', 2).then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    expect(await refused).toMatchObject({ message: 'middleware refuses job 2' });
    await settled(['OnComplete', 'OnSuccess']);
    expect(fired('OnSuccess')[0]!.status).toMatchObject({ total: 1, pending: 0, failures: 0 });
  });

  it('nothing fires while the jobs block is open, even when every job pushed so far has finished', async () => {
    const { next } = start();
    const batch = newBatch(fixture.client, 'slow block');
    await batch.jobs(async () => {
      const done = next('complete:flushed');
      await jobs.Item.performAsync('ok', 1);
      await done;
      expect(await fixture.redis.llen('queue:default')).toBe(0);
      expect(callbacks).toEqual([]);
    });
    await settled(['OnComplete', 'OnSuccess']);
  });

  it('two jobs blocks opened at once on a new batch both count: nothing fires before the second ends', async () => {
    start();
    const batch = newBatch(fixture.client, 'two blocks');
    const api = new SidepunchApi({ redis: fixture.redis });
    const first = batch.jobs(() =>
      jobs.Item.performBulk([
        ['ok', 1],
        ['ok', 2],
        ['ok', 3],
      ]),
    );
    const second = batch.jobs(async () => {
      await first;
      // The first block's jobs have all run and been counted: the second block still holds the batch.
      await expect.poll(async () => (await api.batches.get(batch.bid))?.pending, { timeout: 8000 }).toBe(0);
      expect(await api.batches.get(batch.bid)).toMatchObject({ total: 3, open: 1 });
      expect((await api.batches.get(batch.bid))?.successAt).toBeUndefined();
      await jobs.Item.performBulk([
        ['ok', 4],
        ['ok', 5],
      ]);
    });
    await Promise.all([first, second]);
    await settled(['OnComplete', 'OnSuccess']);
    expect(fired('OnSuccess')[0]?.status).toMatchObject({ total: 5, pending: 0 });
    expect(await api.batches.get(batch.bid)).toMatchObject({ total: 5, pending: 0, open: 0 });
  });

  it('openBatch(bid) adds jobs to a saved batch from anywhere (Sidekiq::Batch.new(bid).jobs): success waits for them', async () => {
    start();
    const batch = newBatch(fixture.client, 'reopened');
    holdJobs();
    await batch.jobs(() => jobs.Held.performAsync());
    // Elsewhere (a web request, another process), knowing only the bid:
    const reopened = fixture.client.openBatch(batch.bid);
    expect(reopened.bid).toBe(batch.bid);
    await reopened.jobs(() =>
      jobs.Item.performBulk([
        ['ok', 1],
        ['ok', 2],
      ]),
    );
    expect(await fixture.redis.hget(`sidepunch:batch:${batch.bid}`, 'total')).toBe('3');
    letHeldFinish();
    await settled(['OnComplete', 'OnSuccess']);
    expect(fired('OnSuccess')[0]!.status).toMatchObject({ total: 3, pending: 0, failures: 0 });
    await expect(fixture.client.openBatch(batch.bid).jobs(async () => {})).rejects.toThrow(/succeeded/);
    await expect(fixture.client.openBatch('no-such-bid').jobs(async () => {})).rejects.toThrow(
      /does not exist/,
    );
  });

  it('a job failing once: on-complete when it has failed, on-success after its retry succeeds', async () => {
    const { launcher, clock } = start();
    const batch = newBatch(fixture.client, 'one retry');
    await batch.jobs(() =>
      jobs.Item.performBulk([
        ['ok', 1],
        ['fail-once', 2],
        ['ok', 3],
      ]),
    );
    await settled(['OnComplete']);
    expect(fired('OnComplete')[0]?.status).toMatchObject({ pending: 1, failures: 1, total: 3 });
    const api = new SidepunchApi({ redis: fixture.redis });
    const jid = (await fixture.redis.zrange('retry', 0, -1)).map((raw) => JSON.parse(raw).jid)[0];
    expect((await api.batches.get(batch.bid))?.failedMembers).toEqual([jid]);
    clock.advance(120_000);
    expect(await launcher.scheduler.tick()).toBe(1);
    await settled(['OnComplete', 'OnSuccess']);
    expect(await api.batches.get(batch.bid)).toMatchObject({ pending: 0, failures: 0, failedMembers: [] });
  });

  it('a job that dies: on-death once, on-complete once, on-success never', async () => {
    start();
    const batch = newBatch(fixture.client, 'one death');
    await batch.jobs(async () => {
      await jobs.Item.performBulk([
        ['ok', 1],
        ['ok', 2],
      ]);
      await jobs.Dies.performAsync();
    });
    await settled(['OnComplete', 'OnDeath']);
    expect(fired('OnDeath')[0]?.status).toMatchObject({ event: 'death', pending: 1, failures: 1 });
    const api = new SidepunchApi({ redis: fixture.redis });
    const record = await api.batches.get(batch.bid);
    expect(record?.deadMembers).toHaveLength(1);
    expect(record?.successAt).toBeUndefined();
  });

  it('a job of the batch adds jobs to it with this.batch.jobs: success waits for them', async () => {
    start();
    const batch = newBatch(fixture.client, 'grows');
    await batch.jobs(() => jobs.Item.performAsync('grow', 7));
    await settled(['OnComplete', 'OnSuccess']);
    expect(runs.get('ok:701')).toBe(1);
    expect(runs.get('ok:702')).toBe(1);
    expect(fired('OnSuccess')[0]?.status).toMatchObject({ total: 3, pending: 0 });
  });

  it('a nested batch is one member of its parent: the parent succeeds after the child', async () => {
    start();
    const parent = newBatch(fixture.client, 'parent');
    let childBid = '';
    await parent.jobs(async () => {
      await jobs.Item.performAsync('ok', 1);
      const child = newBatch(fixture.client, 'child');
      childBid = child.bid;
      await child.jobs(() =>
        jobs.Item.performBulk([
          ['ok', 2],
          ['fail-once', 3],
        ]),
      );
    });
    await settled(['OnComplete', 'OnComplete']);
    const api = new SidepunchApi({ redis: fixture.redis });
    expect(await api.batches.get(parent.bid)).toMatchObject({
      total: 2,
      failedMembers: [`batch:${childBid}`],
    });
    expect((await api.batches.get(childBid))?.parent).toBe(parent.bid);
    runtime!.clock.advance(120_000);
    await runtime!.launcher.scheduler.tick();
    await settled(['OnComplete', 'OnComplete', 'OnSuccess', 'OnSuccess']);
    expect(fired('OnSuccess').map((run) => run.args[0])).toEqual(['child', 'parent']);
  });

  it("a child batch's callbacks run before its parent's, and may add jobs to the parent (this.batch), as in Sidekiq Pro", async () => {
    start();
    const parent = newBatch(fixture.client, 'parent');
    let childBid = '';
    await parent.jobs(async () => {
      const child = fixture.client.batch({ description: 'step 1', onSuccess: jobs.NextStep.with('step 2') });
      childBid = child.bid;
      await child.jobs(() => jobs.Item.performAsync('ok', 1));
    });
    await settled(['NextStep', 'OnComplete', 'OnSuccess']);
    expect(callbacks.map((run) => run.name)).toEqual(['NextStep', 'OnComplete', 'OnSuccess']);
    expect(callbacks[0]).toMatchObject({
      args: ['step 2', parent.bid],
      status: { bid: childBid, event: 'success' },
    });
    expect(fired('OnSuccess')[0]!.status).toMatchObject({
      bid: parent.bid,
      total: 2,
      pending: 0,
      failures: 0,
    });
    expect([...runs.keys()].sort()).toEqual(['ok:1', 'ok:2']);
  });

  it('a death in a child batch is a death in its parent at once, and a failure there only when the child completes', async () => {
    start();
    holdJobs();
    const parent = newBatch(fixture.client, 'parent');
    const child = newBatch(fixture.client, 'child');
    await parent.jobs(() =>
      child.jobs(async () => {
        await jobs.Dies.performAsync();
        await jobs.Held.performAsync();
      }),
    );
    await expect
      .poll(
        () =>
          fired('OnDeath')
            .map((run) => run.args[0])
            .sort(),
        { timeout: 8000 },
      )
      .toEqual(['child', 'parent']);
    const api = new SidepunchApi({ redis: fixture.redis });
    // The child still has a job running: it has not completed, so neither has the parent.
    const waiting = await api.batches.get(parent.bid);
    expect(waiting).toMatchObject({ pending: 1, failures: 0, deadMembers: [`batch:${child.bid}`] });
    expect(waiting?.completeAt).toBeUndefined();
    expect(fired('OnComplete')).toEqual([]);
    letHeldFinish();
    await settled(['OnDeath', 'OnDeath', 'OnComplete', 'OnComplete']);
    expect(fired('OnComplete').map((run) => run.args[0])).toEqual(['child', 'parent']);
    expect(fired('OnComplete')[1]?.status).toMatchObject({ total: 1, pending: 1, failures: 1 });
    expect(await api.batches.get(parent.bid)).toMatchObject({ failedMembers: [`batch:${child.bid}`] });
  });

  it('a job run twice (a copy rescued while it still ran) is counted once', async () => {
    // The copy is pushed before the runtime starts, so both runs are certain.
    const batch = newBatch(fixture.client, 'twice');
    await batch.jobs(async () => {
      await fixture.client.push({ class: 'Item', args: ['ok', 1] });
      const [raw] = await fixture.redis.lrange('queue:default', 0, 0);
      await fixture.redis.lpush('queue:default', raw!);
    });
    start();
    await settled(['OnComplete', 'OnSuccess']);
    expect(runs.get('ok:1')).toBe(2);
    expect(fired('OnSuccess')[0]?.status).toMatchObject({ total: 1, pending: 0 });
  });

  it('a unique job dropped as a duplicate inside a batch is not counted in it', async () => {
    const batch = newBatch(fixture.client, 'unique');
    await batch.jobs(async () => {
      await fixture.client.push({ class: 'Item', args: ['ok', 1], unique: { for: 60 } });
      expect(
        await fixture.client.push({ class: 'Item', args: ['ok', 1], unique: { for: 60 } }),
      ).toBeUndefined();
    });
    const api = new SidepunchApi({ redis: fixture.redis });
    expect(await api.batches.get(batch.bid)).toMatchObject({ total: 1, pending: 1 });
    start();
    await settled(['OnComplete', 'OnSuccess']);
  });

  it('a debounced job pushed inside a batch is refused in one line, and the batch counts nothing of it', async () => {
    const batch = newBatch(fixture.client, 'debounced');
    await batch.jobs(async () => {
      await expect(
        fixture.client.push({ class: 'Item', args: ['ok', 1], debounce: { for: 60 } }),
      ).rejects.toThrow('job Item: a debounced job cannot join a batch');
    });
    expect(await fixture.redis.zcard('schedule')).toBe(0);
    const api = new SidepunchApi({ redis: fixture.redis });
    expect(await api.batches.get(batch.bid)).toMatchObject({ total: 0, pending: 0 });
  });

  it('a callback with NaN in its arguments is refused when the batch is saved, naming the path', async () => {
    const batch = fixture.client.batch({ onSuccess: jobs.OnSuccess.with(Number.NaN as unknown as string) });
    await expect(batch.jobs(async () => {})).rejects.toThrow(
      'callback OnSuccess has arguments JSON cannot carry: args[0] is NaN, which JSON turns into null',
    );
  });

  it("a callback's payload carries what a push's would: no debounce, childDeath, unique or limit", async () => {
    const options = { childDeath: 'ignore', debounce: { for: 5 }, queue: 'reports' } as const;
    const batch = fixture.client.batch({ onSuccess: workerStub<[string]>('OnSuccess', options).with('x') });
    await batch.jobs(async () => {});
    const template = (await fixture.redis.hget(`sidepunch:batch:${batch.bid}`, 'cb_success'))!;
    expect(template).toContain('"queue":"reports"');
    expect(template).not.toMatch(/childDeath|debounce/);
  });

  it('jobs in a batch are ordinary Sidekiq payloads with a bid; a block on an expired batch says so', async () => {
    const batch = newBatch(fixture.client);
    await batch.jobs(() => fixture.client.push({ class: 'Item', args: ['ok', 1] }));
    const job = JSON.parse((await fixture.redis.lrange('queue:default', 0, 0))[0]!);
    expect(job).toMatchObject({ class: 'Item', args: ['ok', 1], queue: 'default', bid: batch.bid });
    expect(await fixture.redis.ttl(`sidepunch:batch:${batch.bid}`)).toBeGreaterThan(29 * 24 * 3600);
    await fixture.redis.del(`sidepunch:batch:${batch.bid}`);
    await expect(batch.jobs(async () => {})).rejects.toThrow(/does not exist \(it expired/);
  });
});
