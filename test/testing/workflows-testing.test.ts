/**
 * Workflows in the testing modes behave as on Redis (docs/workflows.md): in fake mode the leaves are recorded and
 * the parent is recorded once its last child is drained, with their results; in inline mode the whole tree runs in
 * the push; a child that throws fails its parent (default) or is left out (`childDeath: 'ignore'`).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workerStub } from '../../runtime/client/stub.js';
import type { ChildResults } from '../../runtime/core/flow.js';
import {
  clearAll,
  disable,
  drainAll,
  fake,
  fakeWorkflows,
  inline,
  registerWorkers,
  worker,
} from '../../runtime/testing/sidepunch-testing.js';

const log: string[] = [];

class Leaf {
  perform(n: number, mode: 'ok' | 'throw' = 'ok') {
    log.push(`Leaf ${n}`);
    if (mode === 'throw') throw new Error(`leaf ${n} fails`);
    return n * 10;
  }
}
class Sum {
  declare readonly children: ChildResults<Leaf>;
  perform(label: string) {
    const sum = this.children.reduce((total, child) => total + child.result, 0);
    log.push(`Sum ${label} = ${sum}`);
    return sum;
  }
}
class Lenient extends Sum {
  static sidepunchOptions = { childDeath: 'ignore' as const };
}
class Top {
  declare readonly children: ChildResults<Sum>;
  perform() {
    log.push(`Top = ${this.children.map((child) => child.result).join(' + ')}`);
  }
}

const jobs = {
  Leaf: workerStub<[n: number, mode?: 'ok' | 'throw'], 'Leaf'>('Leaf'),
  Sum: workerStub<[label: string], 'Sum', 'Leaf'>('Sum'),
  Lenient: workerStub<[label: string], 'Lenient', 'Leaf'>('Lenient', { childDeath: 'ignore' }),
  Top: workerStub<[], 'Top', 'Sum'>('Top'),
};

beforeAll(() => registerWorkers({ Leaf, Sum, Lenient, Top }));
afterEach(() => {
  clearAll();
  disable();
  log.length = 0;
});

describe('workflows in fake mode', () => {
  it('the leaves are fake jobs; the parent is recorded once they are drained, and sees their results', async () => {
    fake();
    const id = await jobs.Sum.after([jobs.Leaf.child(1), jobs.Leaf.child(2)], 's');
    expect(worker(jobs.Leaf).jobs.map((job) => job.args)).toEqual([[1], [2]]);
    expect(worker(jobs.Leaf).jobs[0]!.payload).toMatchObject({ flow: id, flow_parent: id });
    expect(worker(jobs.Sum).jobs).toEqual([]);
    await worker(jobs.Leaf).drain();
    expect(worker(jobs.Sum).jobs.map((job) => job.jid)).toEqual([id]);
    await drainAll();
    expect(log).toEqual(['Leaf 1', 'Leaf 2', 'Sum s = 30']);
    expect(fakeWorkflows()).toEqual([{ id, states: expect.any(Object) }]);
    expect(Object.values(fakeWorkflows()[0]!.states)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('a leaf that throws fails its parent, which is never recorded', async () => {
    fake();
    await jobs.Sum.after([jobs.Leaf.child(1), jobs.Leaf.child(2, 'throw')], 's');
    await expect(drainAll()).rejects.toThrow('leaf 2 fails');
    await drainAll();
    expect(log).toEqual(['Leaf 1', 'Leaf 2']);
    expect(Object.values(fakeWorkflows()[0]!.states).sort()).toEqual(['dead', 'dead', 'succeeded']);
  });
});

describe('workflows in inline mode', () => {
  it('depth 3 runs in the push: leaves, then middles, then the root', async () => {
    await inline(() =>
      jobs.Top.after([
        jobs.Sum.childAfter([jobs.Leaf.child(1), jobs.Leaf.child(2)], 'a'),
        jobs.Sum.childAfter([jobs.Leaf.child(3)], 'b'),
      ]),
    );
    expect(log).toEqual(['Leaf 1', 'Leaf 2', 'Sum a = 30', 'Leaf 3', 'Sum b = 30', 'Top = 30 + 30']);
  });

  it("a leaf that throws fails its parent and rejects the push once every leaf ran; under childDeath: 'ignore' it is left out", async () => {
    await expect(
      inline(() => jobs.Sum.after([jobs.Leaf.child(1, 'throw'), jobs.Leaf.child(2)], 'x')),
    ).rejects.toThrow('leaf 1 fails');
    expect(log).toEqual(['Leaf 1', 'Leaf 2']);
    log.length = 0;
    await expect(
      inline(() => jobs.Lenient.after([jobs.Leaf.child(1, 'throw'), jobs.Leaf.child(2)], 'y')),
    ).rejects.toThrow('leaf 1 fails');
    expect(log).toEqual(['Leaf 1', 'Leaf 2', 'Sum y = 20']);
  });
});
