/**
 * Jobs with large arguments (an email's HTML, a document): each runs once with its arguments intact, and finishing
 * them costs Redis an LREM each rather than ack.lua, whose window of 2N + 32 entries copied into Lua was 68 MB for
 * one 2 MB job (seen: 200 such no-op jobs kept redis-server busy 10 s, now 2.3 s; the worker's peak RSS, 1.1 GB
 * with a fetch of 530 of them, is 0.6 GB now that the buffer holds about 16 MB: prefetch.test.ts). Small jobs
 * finishing beside large ones still running are acknowledged the same way: the script's window would copy those.
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

describe('small jobs finishing while large ones run beside them', () => {
  it('are acknowledged with an LREM each, not by a script that would copy the large ones', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    /** Holds its slot with its large document until the test lets it go. */
    class Hold {
      perform(_document: string): Promise<void> {
        started++;
        return released;
      }
    }
    let quick = 0;
    class Quick {
      perform(_n: number): void {
        quick++;
      }
    }
    await fixture.client.pushBulk({ class: 'Hold', args: [[DOCUMENT.repeat(4)], [DOCUMENT.repeat(4)]] });
    await fixture.client.pushBulk({ class: 'Quick', args: Array.from({ length: 20 }, (_, n) => [n]) });
    const before = await commandCalls('lrem');
    const runtime = runtimes.embed(
      defineRegistry({ workers: { Hold, Quick } }),
      { redis: fixture.server.url, concurrency: 4 },
      { logger: quiet },
    );
    let written = 0;
    const quickWritten = runtime.events.next('complete:flushed', ({ count }) => {
      written += count;
      return written >= 20;
    });
    await runtime.start();
    try {
      await quickWritten;
    } finally {
      release();
    }
    expect(started).toBe(2);
    expect(quick).toBe(20);
    // ack.lua reads the oldest 2N + 32 entries of the list, the two 2 MB documents among them.
    expect((await commandCalls('lrem')) - before).toBe(20);

    await expect.poll(() => fixture.redis.get('stat:processed')).toBe('22');
    expect(await fixture.redis.keys('sidepunch:in-progress:*')).toEqual([]);
  }, 30_000);
});
