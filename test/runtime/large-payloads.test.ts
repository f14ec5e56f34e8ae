/**
 * Jobs with large arguments (an email's HTML, a document): each runs once with its arguments intact, and finishing
 * them costs Redis an LREM each rather than ack.lua, whose window of 2N + 32 entries copied into Lua was 68 MB for
 * one 2 MB job (seen: 200 such no-op jobs kept redis-server busy 10 s, now 2.3 s; the worker's peak RSS, 1.1 GB
 * with a fetch of 530 of them, is 0.6 GB now that the buffer holds about 16 MB: prefetch.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { defineRegistry, LineLogger } from '../../runtime/index.js';
import { useEmbeddedRuntime } from '../support/embedded.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const runtimes = useEmbeddedRuntime();
const quiet = new LineLogger('warn', { write: () => {} });

const JOBS = 40;
const DOCUMENT = 'x'.repeat(512 * 1024);
const lengths = new Map<number, number>();
/** Returns at once, as a job that hands the document on does; notes what it got. */
class Render {
  perform(n: number, document: string): void {
    lengths.set(n, document.length);
  }
}

async function commandCalls(name: string): Promise<number> {
  const stats = await fixture.redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

describe('jobs with large arguments', () => {
  it('each run once, intact, and are acknowledged with an LREM each', async () => {
    lengths.clear();
    for (let n = 0; n < JOBS; n += 10)
      await fixture.client.pushBulk({
        class: 'Render',
        args: Array.from({ length: 10 }, (_, i) => [n + i, DOCUMENT]),
      });
    const before = await commandCalls('lrem');
    const runtime = runtimes.embed(
      defineRegistry({ workers: { Render } }),
      { redis: fixture.server.url, concurrency: 10 },
      { logger: quiet },
    );
    let written = 0;
    const allWritten = runtime.events.next('complete:flushed', ({ count }) => {
      written += count;
      return written >= JOBS;
    });
    await runtime.start();
    await allWritten;

    expect([...lengths.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: JOBS }, (_, n) => n));
    expect(new Set(lengths.values())).toEqual(new Set([DOCUMENT.length]));
    expect((await commandCalls('lrem')) - before).toBe(JOBS);
    expect(await fixture.redis.get('stat:processed')).toBe(String(JOBS));
    expect(await fixture.redis.llen('queue:default')).toBe(0);
    for (const key of await fixture.redis.keys('*inprogress*')) expect(await fixture.redis.llen(key)).toBe(0);
  }, 30_000);
});
