import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workerStub } from '../../runtime/client/stub.js';
import type { SidepunchWorker } from '../../runtime/core/worker.js';
import {
  clearAll,
  disable,
  drainAll,
  fake,
  inline,
  registerWorkers,
  worker,
} from '../../runtime/testing/sidepunch-testing.js';

const runs: string[] = [];
let failing = false;

class SyncAddress implements SidepunchWorker {
  static sidepunchOptions = { unique: { for: 600 } };
  perform(customer: string): void {
    if (failing) throw new Error('not yet');
    runs.push(`sync ${customer}`);
  }
}

class SyncOnStart implements SidepunchWorker {
  static sidepunchOptions = { unique: { for: 600, until: 'start' as const } };
  async perform(customer: string): Promise<void> {
    runs.push(`start ${customer}`);
    if (runs.length === 1)
      runs.push(JSON.stringify(await jobs.SyncOnStart.withOutcome.performAsync(customer)));
  }
}

class SelfPushing implements SidepunchWorker {
  static sidepunchOptions = { unique: { for: 600 } };
  async perform(customer: string): Promise<void> {
    runs.push(JSON.stringify(await jobs.SelfPushing.withOutcome.performAsync(customer)));
  }
}

class Recount implements SidepunchWorker {
  static sidepunchOptions = { debounce: { for: 30, by: [0] } };
  perform(counter: string, edit: string): void {
    runs.push(`recount ${counter} ${edit}`);
  }
}

const jobs = {
  SyncAddress: workerStub<[customer: string]>('SyncAddress', SyncAddress.sidepunchOptions),
  SyncOnStart: workerStub<[customer: string]>('SyncOnStart', SyncOnStart.sidepunchOptions),
  SelfPushing: workerStub<[customer: string]>('SelfPushing', SelfPushing.sidepunchOptions),
  Recount: workerStub<[counter: string, edit: string]>('Recount', Recount.sidepunchOptions),
  RecountFirst: workerStub<[counter: string, edit: string]>('Recount', {
    debounce: { for: 30, keep: 'first', by: [0] },
  }),
} as const;

beforeAll(() => registerWorkers({ SyncAddress, SyncOnStart, SelfPushing, Recount }));
afterEach(() => {
  clearAll();
  disable();
  runs.length = 0;
  failing = false;
});

describe('fake mode: unique jobs', () => {
  it('a second push of a pending unique job is dropped, with the outcome Redis gives; after it succeeds, the next enqueues', async () => {
    fake();
    const first = await jobs.SyncAddress.withOutcome.performAsync('c1');
    const second = await jobs.SyncAddress.withOutcome.performAsync('c1');
    expect(second).toEqual({ pushed: false, reason: 'duplicate', heldBy: first.pushed ? first.jid : '' });
    expect(await jobs.SyncAddress.performAsync('c1')).toBeUndefined();
    expect((await jobs.SyncAddress.withOutcome.performAsync('c2')).pushed).toBe(true);
    expect(await jobs.SyncAddress.set({ unique: false }).performAsync('c1')).toEqual(expect.any(String));
    expect(worker(jobs.SyncAddress).jobs.map((job) => job.args)).toEqual([['c1'], ['c2'], ['c1']]);

    await drainAll();
    expect((await jobs.SyncAddress.withOutcome.performAsync('c1')).pushed).toBe(true);
  });

  it('a job that fails keeps its lock (it would wait for a retry); clear releases it', async () => {
    fake();
    await jobs.SyncAddress.performAsync('c1');
    failing = true;
    await expect(drainAll()).rejects.toThrow('not yet');
    expect((await jobs.SyncAddress.withOutcome.performAsync('c1')).pushed).toBe(false);
    failing = false;
    clearAll();
    expect((await jobs.SyncAddress.withOutcome.performAsync('c1')).pushed).toBe(true);
    worker(jobs.SyncAddress).clear();
    expect((await jobs.SyncAddress.withOutcome.performAsync('c1')).pushed).toBe(true);
  });

  it("until: 'start' releases the lock before perform, so a push during the run enqueues", async () => {
    fake();
    await jobs.SyncOnStart.performAsync('c1');
    await worker(jobs.SyncOnStart).performOne();
    expect(JSON.parse(runs[1]!)).toMatchObject({ pushed: true });
    expect(worker(jobs.SyncOnStart).jobs).toHaveLength(1);
  });
});

describe('inline mode: unique jobs', () => {
  it('a push during the run of the same job is dropped; once it is done the next push runs', async () => {
    await inline(async () => {
      const outer = await jobs.SelfPushing.withOutcome.performAsync('c1');
      expect(outer.pushed).toBe(true);
      expect(JSON.parse(runs[0]!)).toEqual({
        pushed: false,
        reason: 'duplicate',
        heldBy: outer.pushed ? outer.jid : '',
      });
      runs.length = 0;
      await jobs.SyncAddress.performAsync('c1');
      await jobs.SyncAddress.performAsync('c1');
      expect(runs).toEqual(['sync c1', 'sync c1']);
    });
  });

  it('a failed run leaves nothing pending: the push rejects, and the next one runs', async () => {
    await inline(async () => {
      failing = true;
      await expect(jobs.SyncAddress.performAsync('c1')).rejects.toThrow('not yet');
      failing = false;
      await jobs.SyncAddress.performAsync('c1');
      expect(runs).toEqual(['sync c1']);
    });
  });
});

describe('fake mode: debounced jobs', () => {
  it('pushes within the window replace the pending job (or keep it), with Redis’s outcomes; drain runs it once', async () => {
    fake();
    const first = await jobs.Recount.withOutcome.performAsync('k', 'edit 1');
    expect(first).toEqual({ pushed: true, jid: expect.any(String) });
    const [pending] = worker(jobs.Recount).jobs;
    expect(pending!.at).toBeGreaterThan(Date.now() / 1000 + 29);
    const second = await jobs.Recount.withOutcome.performAsync('k', 'edit 2');
    expect(second).toMatchObject({ pushed: true, replaced: first.pushed ? first.jid : '' });
    const kept = await jobs.RecountFirst.withOutcome.performAsync('k', 'edit 3');
    expect(kept).toMatchObject({ pushed: false, reason: 'kept', pending: second.pushed ? second.jid : '' });
    await jobs.Recount.performAsync('other', 'edit 1');
    expect(worker(jobs.Recount).jobs.map((job) => job.args)).toEqual([
      ['k', 'edit 2'],
      ['other', 'edit 1'],
    ]);
    await drainAll();
    expect(runs).toEqual(['recount k edit 2', 'recount other edit 1']);
    expect(await jobs.Recount.withOutcome.performAsync('k', 'edit 4')).toEqual({
      pushed: true,
      jid: expect.any(String),
    });
  });

  it('inline mode runs each debounced push at once: nothing waits to be folded into', async () => {
    await inline(async () => {
      await jobs.Recount.performAsync('k', 'edit 1');
      await jobs.Recount.performAsync('k', 'edit 2');
    });
    expect(runs).toEqual(['recount k edit 1', 'recount k edit 2']);
  });
});
