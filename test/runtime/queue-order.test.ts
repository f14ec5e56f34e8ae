import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../runtime/cli/run.js';
import { processInfo } from '../../runtime/server/process-info.js';
import { queueOrder } from '../../runtime/server/queue-order.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

describe('queue order (no Redis)', () => {
  it('is strict when no queue has a weight', () => {
    const order = queueOrder([
      { name: 'critical', weight: 1 },
      { name: 'default', weight: 1 },
      { name: 'low', weight: 1 },
    ]);
    for (let i = 0; i < 20; i++) expect(order()).toEqual(['critical', 'default', 'low']);
  });

  it('draws a fresh order per fetch when the flags give every queue weight 1, as Sidekiq 7 for -q a,1 -q b,1', () => {
    // Sidekiq's Capsule: strict only when no queue has a weight; every weight 1 is its random mode.
    const command = parseRunArgs(['-q', 'a,1', '-q', 'b,1', 'r.js'], {});
    if (command.kind !== 'run') throw new Error('expected a run');
    const { config } = command;
    let draw = 0;
    const random = () => [0.1, 0, 0.9, 0][draw++ % 4]!; // one draw per queue picked
    const order = queueOrder(config.queues, random, config.queuesFrom, config.queuesWeighted);
    expect(order.weighted).toBe(true);
    expect([order(), order()]).toEqual([
      ['a', 'b'],
      ['b', 'a'],
    ]);
    expect(processInfo(config, 'host:1:abc', 1).capsules).toEqual({
      default: { concurrency: 10, mode: 'random', weights: { a: 1, b: 1 } },
    });
    // Without weights the same queues stay strict.
    const strict = parseRunArgs(['-q', 'a', '-q', 'b', 'r.js'], {});
    if (strict.kind !== 'run') throw new Error('expected a run');
    expect(
      queueOrder(strict.config.queues, random, strict.config.queuesFrom, strict.config.queuesWeighted)
        .weighted,
    ).toBe(false);
  });

  it('puts each queue first in proportion to its weight, and lists every queue', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const order = queueOrder(
      [
        { name: 'a', weight: 6 },
        { name: 'b', weight: 3 },
        { name: 'c', weight: 1 },
      ],
      random,
    );
    const firsts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) {
      const drawn = order();
      expect([...drawn].sort()).toEqual(['a', 'b', 'c']);
      firsts[drawn[0]!]!++;
    }
    expect(firsts.a! / 10_000).toBeCloseTo(0.6, 1);
    expect(firsts.b! / 10_000).toBeCloseTo(0.3, 1);
    expect(firsts.c! / 10_000).toBeCloseTo(0.1, 1);
  });
});

describe('sidepunch-run takes queues in the order its flags give', () => {
  const fixture = useRedis();
  const redis = () => fixture.redis;

  async function fill(queue: string, count: number) {
    await fixture.client.pushBulk({
      class: 'QueueProbe',
      queue,
      args: Array.from({ length: count }, () => [queue]),
    });
  }

  /** The fetch.lua calls Redis receives that name `queueKey`, each as its arguments, until stop(). */
  async function watchFetches(queueKey: string) {
    const monitor = await fixture.server.connect().monitor();
    const fetches: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      const name = args[0]!.toLowerCase();
      if ((name === 'evalsha' || name === 'eval') && args.includes(queueKey)) fetches.push(args);
    });
    return { fetches, stop: () => monitor.disconnect() };
  }

  it('strict: drains each queue before the next', async () => {
    await fill('low', 200);
    await fill('critical', 200);
    await fill('default', 200);
    fixture.run(['-c', '5', '-q', 'critical', '-q', 'default', '-q', 'low']);
    await waitUntil('600 jobs done', async () => (await redis().llen('probe:order')) >= 600);
    const order = await redis().lrange('probe:order', 0, -1);
    expect(order.slice(0, 200).every((queue) => queue === 'critical')).toBe(true);
    expect(order.slice(200, 400).every((queue) => queue === 'default')).toBe(true);
    expect(order.slice(400).every((queue) => queue === 'low')).toBe(true);
  });

  it('strict: asks every queue in one fetch.lua call, not one call per queue', async () => {
    // Across a network each call is a round trip: a backlog behind nine empty queues cost ten per fetch.
    const queues = Array.from({ length: 10 }, (_, i) => `q${i + 1}`);
    await fill('q10', 1000);
    const { fetches, stop } = await watchFetches('queue:q10');
    fixture.run(['-c', '5', ...queues.flatMap((queue) => ['-q', queue]), '--log-level', 'warn']);
    await waitUntil('1,000 jobs done', async () => (await redis().llen('probe:order')) >= 1000);
    stop();
    expect(fetches.length).toBeGreaterThan(0);
    for (const args of fetches) {
      // EVALSHA sha 20 queue:q1 <in-progress of q1> queue:q2 … max mode
      expect(args[2]).toBe('20');
      expect(args.slice(3, 23).filter((_, i) => i % 2 === 0)).toEqual(
        queues.map((queue) => `queue:${queue}`),
      );
    }
  });

  it('-q a,1 -q b,1: takes from both queues while both are full, not one after the other', async () => {
    await fill('a', 300);
    await fill('b', 300);
    fixture.run(['-c', '2', '-q', 'a,1', '-q', 'b,1', '--log-level', 'warn']);
    await waitUntil('200 jobs done', async () => (await redis().llen('probe:order')) >= 200);
    // Strict order took the first 300 from a.
    const order = await redis().lrange('probe:order', 0, 199);
    const fromA = order.filter((queue) => queue === 'a').length;
    expect(fromA).toBeGreaterThan(50);
    expect(fromA).toBeLessThan(150);
  });

  it('weighted 3:1: picks about three jobs from the heavier queue for each one from the other', async () => {
    await fill('heavy', 3000);
    await fill('light', 3000);
    fixture.run(['-c', '2', '-q', 'heavy,3', '-q', 'light,1', '--log-level', 'warn']);
    await waitUntil('2,000 jobs done', async () => (await redis().llen('probe:order')) >= 2000);
    // Both queues are still full during the first 2,000 jobs.
    const order = await redis().lrange('probe:order', 0, 1999);
    const heavy = order.filter((queue) => queue === 'heavy').length;
    const ratio = heavy / (order.length - heavy);
    expect(ratio).toBeGreaterThan(2.3);
    expect(ratio).toBeLessThan(3.9);
  });

  it('weighted: sends all the draws of a fetch, a batch of -c jobs each, in one fetch.lua call', async () => {
    await fill('heavy', 1000);
    await fill('light', 1000);
    const { fetches, stop } = await watchFetches('queue:heavy');
    fixture.run(['-c', '2', '-q', 'heavy,3', '-q', 'light,1', '--log-level', 'warn']);
    await waitUntil('2,000 jobs done', async () => (await redis().llen('probe:order')) >= 2000);
    stop();
    // EVALSHA sha 4 queue:heavy <in-progress> queue:light <in-progress> max perDraw mode, then two queues a draw.
    const draws = fetches.map((args) => (args.length - 10) / 2);
    expect(Math.max(...draws)).toBeGreaterThan(1);
    // A call per batch of two was a thousand calls or more.
    expect(fetches.length).toBeLessThan(1000);
    expect(draws.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(1000);
  });
});
