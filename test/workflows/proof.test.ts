/**
 * The proof issue #23 asks for, on real `sidepunch-run` processes, printing its figures: a depth-3 workflow (a root
 * over 10 middle nodes, each over 100 leaves: fan-out 100 at the middle level, 1,000 leaves) on three processes,
 * 1% of the leaves failing once then succeeding, one process killed -9 mid-way: the root runs once and computes
 * the known sum, 0 + 1 + … + 999 = 499,500.
 */
import { describe, expect, it } from 'vitest';
import type { FlowNode } from '../../runtime/core/flow.js';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const REGISTRY = `${REPO_ROOT}fixtures/registries/workflows.mjs`;
const FAST = [
  '-c',
  '20',
  '--poll-interval',
  '0.2',
  '--heartbeat',
  '0.25',
  '--process-ttl',
  '1',
  '--log-level',
  'warn',
];
const fixture = useRedis();

const node = (className: string, args: unknown[], children: FlowNode[] = []): FlowNode => ({
  className,
  options: className === 'FlowLeaf' ? { retry: 3 } : {},
  args,
  children,
});

describe('workflows across a fleet of real processes', () => {
  it('depth 3, fan-out 100 at the middle level, on three processes, one killed -9: the root computes the known sum once', async () => {
    const processes = [1, 2, 3].map(() => fixture.run(FAST, { registry: REGISTRY }));
    await waitUntil('3 heartbeats', async () => (await fixture.redis.scard('processes')) === 3, 30_000);
    const middles = Array.from({ length: 10 }, (_, m) =>
      node(
        'FlowSum',
        [`middle ${m}`],
        Array.from({ length: 100 }, (_, i) => {
          const n = m * 100 + i;
          return node('FlowLeaf', [n, n % 100 === 7 ? 'fail-once' : 'ok']);
        }),
      ),
    );
    const started = Date.now();
    const root = await fixture.client.pushFlow(node('FlowRoot', ['proof'], middles));
    const pushedMs = Date.now() - started;
    const states = () => fixture.redis.hvals(`sidepunch:flow:${root}:state`);
    const succeeded = async () => (await states()).filter((state) => state === 'succeeded').length;
    await waitUntil('a third of the leaves done', async () => (await succeeded()) >= 330, 15_000);
    const victim = processes[0]!;
    expect(await victim.stop('SIGKILL')).toBe('SIGKILL');
    await waitUntil('the root', async () => (await fixture.redis.llen('probe:flow-root')) > 0, 20_000);
    const doneMs = Date.now() - started;
    await waitUntil(
      'the root succeeded',
      async () => (await states()).every((s) => s === 'succeeded'),
      5_000,
    );
    const runs = (await fixture.redis.lrange('probe:flow-root', 0, -1)).map((raw) => JSON.parse(raw));
    console.log(
      `workflow of depth 3 (1 root, 10 middle nodes, 1,000 leaves, 10 failing once) on 3 processes, one killed -9: ` +
        `pushed in ${pushedMs} ms, root done after ${(doneMs / 1000).toFixed(1)} s; the root ran ${runs.length}× ` +
        `with ${runs[0]?.children} children and the sum ${runs[0]?.sum}; ${(await states()).length} nodes succeeded`,
    );
    expect(runs).toEqual([{ label: 'proof', sum: 499_500, children: 10 }]);
    expect(await states()).toHaveLength(1011);
  }, 45_000);
});
