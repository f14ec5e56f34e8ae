/**
 * A process whose slots are all busy, with a job or two taken ahead of them and its queues empty, asks Redis once
 * and then waits for a slot: it does not call fetch.lua again and again until one frees (seen: thousands of calls a
 * second while two 1-second jobs ran at -c 2 with one more taken).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineRegistry, LineLogger } from '../../runtime/index.js';
import { useEmbeddedRuntime } from '../support/embedded.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const runtimes = useEmbeddedRuntime();
const quiet = new LineLogger('warn', { write: () => {} });

/** Jobs that run until the test lets them finish. */
const held: (() => void)[] = [];
let holding = true;
class Held {
  perform(_n: number): Promise<void> {
    return holding ? new Promise((resolve) => held.push(resolve)) : Promise.resolve();
  }
}
beforeEach(() => {
  holding = true;
});
// Before the runtime stops (hooks run last-registered first): a failed test leaves none running, nor to come.
afterEach(() => {
  holding = false;
  for (const release of held.splice(0)) release();
});

async function evalshaCalls(): Promise<number> {
  const stats = await fixture.redis.info('commandstats');
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

describe('a process with every slot busy and its queues empty', () => {
  it('asks for more once, not in a loop, and runs the job it holds once a slot frees', async () => {
    // Two slots: the first fetch takes all three jobs, two start and one waits for a slot.
    await fixture.client.pushBulk({ class: 'Held', args: [[1], [2], [3]] });
    const registry = defineRegistry({ workers: { Held } });
    const runtime = runtimes.embed(
      registry,
      { redis: fixture.server.url, concurrency: 2 },
      { logger: quiet },
    );
    let emptyFetches = 0;
    runtime.events.on('fetch:idle', () => emptyFetches++);
    const firstEmpty = runtime.events.next('fetch:idle');
    await runtime.start();
    await firstEmpty;
    expect(held).toHaveLength(2);
    expect(await fixture.redis.llen('queue:default')).toBe(0);

    // Twenty round trips of this test's own: a fetch loop asking again at once would have asked about as often.
    const before = await evalshaCalls();
    for (let i = 0; i < 20; i++) await fixture.redis.ping();
    expect(await evalshaCalls()).toBe(before);
    expect(emptyFetches).toBe(1);

    // A slot frees: the job held for it starts, and all three are done, none left in Redis.
    let finished = 0;
    const allDone = runtime.events.next('job:done', () => ++finished === 3);
    const third = runtime.events.next('job:start');
    held.shift()!();
    await third;
    for (const release of held.splice(0)) release();
    await allDone;
    // Performed by now; the released jobs' acknowledgements may still be on their way.
    await runtime.stop();
    expect(await fixture.redis.get('stat:processed')).toBe('3');
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  }, 30_000);
});
