/**
 * Batches in the testing modes behave as on Redis (docs/batches.md): in fake mode the callbacks are recorded once the
 * last job is drained; in inline mode they run when the jobs block ends; a job that throws counts as dead; a job of
 * the batch adds to it; nested batches are one member of their parent.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batch } from '../../runtime/client/batch.js';
import { workerStub } from '../../runtime/client/stub.js';
import type { BatchCallbackInfo, BatchHandle } from '../../runtime/core/batch-scope.js';
import {
  clearAll,
  disable,
  drainAll,
  fake,
  fakeBatches,
  inline,
  registerWorkers,
  worker,
} from '../../runtime/testing/sidepunch-testing.js';

const log: string[] = [];

class Part {
  batch?: BatchHandle;
  async perform(mode: 'ok' | 'throw' | 'grow', id: number) {
    log.push(`Part ${id}`);
    if (mode === 'throw') throw new Error(`part ${id} fails`);
    if (mode === 'grow') await this.batch!.jobs(() => jobs.Part.performAsync('ok', id * 10));
  }
}
class Finished {
  batchCallback?: BatchCallbackInfo;
  perform(label: string) {
    const status = this.batchCallback!;
    log.push(
      `${label} ${status.event} total=${status.total} pending=${status.pending} failures=${status.failures}`,
    );
  }
}

/** A child batch's success callback that starts the next step in the parent (Sidekiq Pro's workflows). */
class NextStep {
  batch?: BatchHandle;
  async perform(step: string) {
    await this.batch!.jobs(() => jobs.Part.performAsync('ok', 99));
    log.push(`${step} in ${this.batch!.bid === fakeBatches()[0]!.bid ? 'parent' : 'other'}`);
  }
}

const jobs = {
  Part: workerStub<['ok' | 'throw' | 'grow', number]>('Part'),
  Finished: workerStub<[string]>('Finished'),
  NextStep: workerStub<[string]>('NextStep'),
};

const withCallbacks = (label: string) =>
  batch({
    description: label,
    onComplete: jobs.Finished.with(label),
    onSuccess: jobs.Finished.with(label),
    onDeath: jobs.Finished.with(label),
  });

beforeAll(() => registerWorkers({ Part, Finished, NextStep }));
afterEach(() => {
  clearAll();
  disable();
  log.length = 0;
});

describe('batches in fake mode', () => {
  it('callbacks are recorded when the last job is drained, with the status, once each', async () => {
    fake();
    await withCallbacks('b').jobs(async () => {
      await jobs.Part.performBulk([
        ['ok', 1],
        ['ok', 2],
      ]);
    });
    expect(worker(jobs.Part).jobs.map((job) => job.payload.bid)).toEqual([
      fakeBatches()[0]!.bid,
      fakeBatches()[0]!.bid,
    ]);
    await worker(jobs.Part).drain();
    expect(worker(jobs.Finished).jobs.map((job) => job.args)).toEqual([['b'], ['b']]);
    await drainAll();
    expect(log).toEqual([
      'Part 1',
      'Part 2',
      'b complete total=2 pending=0 failures=0',
      'b success total=2 pending=0 failures=0',
    ]);
    expect(fakeBatches()[0]).toMatchObject({ total: 2, pending: 0, failures: 0 });
  });

  it('a job that throws counts as dead: on-death and on-complete, never on-success', async () => {
    fake();
    await withCallbacks('d').jobs(() =>
      jobs.Part.performBulk([
        ['throw', 1],
        ['ok', 2],
      ]),
    );
    await expect(drainAll()).rejects.toThrow('part 1 fails');
    await drainAll();
    expect(log.filter((line) => line.startsWith('d '))).toEqual([
      'd death total=2 pending=2 failures=1',
      'd complete total=2 pending=1 failures=1',
    ]);
  });

  it('a job with retry: false or dead: false that throws counts as failed, as the runtime drops it: on-complete, never on-death', async () => {
    fake();
    await withCallbacks('r').jobs(async () => {
      await jobs.Part.set({ retry: false }).performAsync('throw', 1);
      await jobs.Part.set({ dead: false }).performAsync('throw', 2);
      await jobs.Part.performAsync('ok', 3);
    });
    await expect(worker(jobs.Part).performOne()).rejects.toThrow('part 1 fails');
    await expect(worker(jobs.Part).performOne()).rejects.toThrow('part 2 fails');
    await drainAll();
    expect(log.filter((line) => line.startsWith('r '))).toEqual(['r complete total=3 pending=2 failures=2']);
    expect(Object.keys(fakeBatches()[0]!.fired)).toEqual(['complete']);
  });

  it('a job of the batch adds to it; a nested batch is one member of its parent', async () => {
    fake();
    await withCallbacks('parent').jobs(async () => {
      await jobs.Part.performAsync('grow', 1);
      await withCallbacks('child').jobs(() => jobs.Part.performAsync('ok', 2));
    });
    await drainAll();
    expect(log.filter((line) => line.includes('success'))).toEqual([
      'child success total=1 pending=0 failures=0',
      'parent success total=3 pending=0 failures=0',
    ]);
  });

  it("a child batch's success callback runs before the parent's callbacks and may add jobs to the parent", async () => {
    fake();
    await withCallbacks('parent').jobs(() =>
      batch({ onSuccess: jobs.NextStep.with('step 2') }).jobs(() => jobs.Part.performAsync('ok', 1)),
    );
    await drainAll();
    expect(log).toEqual([
      'Part 1',
      'step 2 in parent',
      'Part 99',
      'parent complete total=2 pending=0 failures=0',
      'parent success total=2 pending=0 failures=0',
    ]);
  });

  it('a death in a child batch is a death in its parent at once, and a failure there only when the child completes', async () => {
    fake();
    await withCallbacks('parent').jobs(() =>
      withCallbacks('child').jobs(() =>
        jobs.Part.performBulk([
          ['throw', 1],
          ['ok', 2],
        ]),
      ),
    );
    await expect(worker(jobs.Part).drain()).rejects.toThrow('part 1 fails');
    const [parent, child] = fakeBatches();
    expect(parent).toMatchObject({ description: 'parent', pending: 1, failures: 0 });
    expect(Object.keys(parent!.fired)).toEqual(['death']);
    expect(child).toMatchObject({ description: 'child', pending: 2, failures: 1 });
    await drainAll();
    expect(log.filter((line) => !line.startsWith('Part'))).toEqual([
      'child death total=2 pending=2 failures=1',
      'parent death total=1 pending=1 failures=0',
      'child complete total=2 pending=1 failures=1',
      'parent complete total=1 pending=1 failures=1',
    ]);
  });
});

describe('batches in inline mode', () => {
  it('jobs run as they are pushed; the callbacks run when the jobs block ends', async () => {
    inline();
    await withCallbacks('i').jobs(async () => {
      await jobs.Part.performAsync('ok', 1);
      expect(log).toEqual(['Part 1']);
      await jobs.Part.performAsync('grow', 2);
    });
    expect(log).toEqual([
      'Part 1',
      'Part 2',
      'Part 20',
      'i complete total=3 pending=0 failures=0',
      'i success total=3 pending=0 failures=0',
    ]);
  });

  it("a child batch's success callback runs (and adds its jobs to the parent) before the parent's callbacks", async () => {
    inline();
    await withCallbacks('parent').jobs(() =>
      batch({ onSuccess: jobs.NextStep.with('step 2') }).jobs(() => jobs.Part.performAsync('ok', 1)),
    );
    expect(log).toEqual([
      'Part 1',
      'Part 99',
      'step 2 in parent',
      'parent complete total=2 pending=0 failures=0',
      'parent success total=2 pending=0 failures=0',
    ]);
  });

  it('a worker with retry: false (its generated stub carries it) counts as failed when it throws, not dead', async () => {
    inline();
    class Dropped {
      static sidepunchOptions = { retry: false };
      perform() {
        throw new Error('dropped');
      }
    }
    registerWorkers({ Dropped });
    const block = withCallbacks('n').jobs(() => workerStub<[]>('Dropped', { retry: false }).performAsync());
    await expect(block).rejects.toThrow('dropped');
    expect(log).toEqual(['n complete total=1 pending=1 failures=1']);
  });
});
