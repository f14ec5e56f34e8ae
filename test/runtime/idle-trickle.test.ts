/**
 * Jobs that trickle into an idle process one at a time (the common case in production) cost Redis little: the
 * blocking fetch that waited for a job is armed again without a fetch.lua call in between (fetcher.ts step 2), and
 * plain successes share their writes (completer.ts step 6). A job with anything else to write is not held back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type LatencyProxy, startLatencyProxy } from '../../bench/latency-proxy.js';
import { defineRegistry, LineLogger } from '../../runtime/index.js';
import type { EmbeddedRuntime } from '../../runtime/server/embedded-runtime.js';
import { useEmbeddedRuntime } from '../support/embedded.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const runtimes = useEmbeddedRuntime();

class Greet {
  perform(_n: number): void {}
}
class Broken {
  perform(): void {
    throw new TypeError('broken');
  }
}

const quiet = new LineLogger('warn', { write: () => {} });
/** The trickle's pace: well past a round trip, so each job finds the process waiting for it. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function commandCalls(): Promise<Map<string, number>> {
  const stats = await fixture.redis.info('commandstats');
  return new Map(
    [...stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map(([, name, calls]) => [name!, Number(calls)]),
  );
}

/**
 * Resolves once the process waits for work again: its blocking fetch is in Redis. A push before that (a loaded machine
 * re-arming late) finds no one waiting, which is a backlog's case, not a trickle's.
 */
function waitingAgain(): Promise<void> {
  const blocked = async () =>
    Number(/blocked_clients:(\d+)/.exec(await fixture.redis.info('clients'))?.[1]) >= 1;
  return waitUntil('the blocking fetch armed again', blocked, 10_000, 1);
}

/**
 * Pushes `jobs` jobs one at a time, each once the last one ran, `pauseMs` later and with the process waiting again
 * (its INFO calls are the test's: callers leave them out); resolves once their outcomes are
 * written, with how many writes that took and the Redis commands run meanwhile, by name.
 */
async function trickle(runtime: EmbeddedRuntime, jobs: number, pauseMs: number) {
  const written = outcomesWritten(runtime.events, jobs);
  const before = await commandCalls();
  for (let n = 0; n < jobs; n++) {
    const done = runtime.events.next('job:done');
    await fixture.client.push({ class: 'Greet', args: [n] });
    await done;
    await pause(pauseMs);
    await waitingAgain();
  }
  const writes = await written;
  const after = await commandCalls();
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const all = [...after.keys()].reduce((sum, name) => sum + delta(name), 0);
  return { writes, delta, all };
}

async function startRuntime(redis = fixture.server.url): Promise<EmbeddedRuntime> {
  const registry = defineRegistry({ workers: { Greet, Broken } });
  const started = runtimes.embed(registry, { redis, concurrency: 10 }, { logger: quiet });
  const idle = started.events.next('fetch:idle');
  await started.start();
  await idle;
  await waitingAgain(); // the first job is waited for too
  return started;
}

/** Resolves once `count` jobs' outcomes are written, with how many writes that took. */
function outcomesWritten(events: EmbeddedRuntime['events'], count: number): Promise<number> {
  let jobs = 0;
  let writes = 0;
  return new Promise((resolve) => {
    const off = events.on('complete:flushed', (flushed) => {
      jobs += flushed.count;
      writes++;
      if (jobs < count) return;
      off();
      resolve(writes);
    });
  });
}

describe('jobs trickling into an idle process', () => {
  it('share their writes: a few commands each beside their push, not ten, and every one is acknowledged', async () => {
    const runtime = await startRuntime();
    const jobs = 30;
    const { writes, delta, all } = await trickle(runtime, jobs, 20);
    // The pushes' SADD and LPUSH, and this test's INFO, are not the worker's.
    const workers = all - delta('sadd') - delta('lpush') - delta('info');
    // Was 10–11: BLMOVE, fetch.lua (2) and a MULTI of 7–8 per job; about 4 when a write waited only 100 ms for
    // company. Now BLMOVE, and a MULTI of about 9 per write.
    expect(workers / jobs).toBeLessThan(2.5);
    expect(delta('blmove')).toBeGreaterThanOrEqual(jobs);
    expect(delta('evalsha') - writes).toBeLessThan(jobs / 3); // fetch.lua's: each write has one ack script
    expect(writes).toBeLessThan(jobs / 3);
    expect(await fixture.redis.get('stat:processed')).toBe(String(jobs));
    expect(await fixture.redis.llen(`queue:default`)).toBe(0);
    const inProgress = await fixture.redis.keys('*inprogress*');
    for (const key of inProgress) expect(await fixture.redis.llen(key)).toBe(0);
  }, 30_000);

  it('take a job pushed just before the process waits again without a fetch.lua call', async () => {
    const runtime = await startRuntime();
    let performed = 0;
    const bothDone = runtime.events.next('job:done', () => ++performed === 2);
    // A fetch.lua call that finds every queue empty says so.
    let emptyFetches = 0;
    const off = runtime.events.on('fetch:idle', () => emptyFetches++);
    // An idle process has waited a while: longer than its fetch.lua round trips, which on a loaded machine take tens of
    // milliseconds (a push just after the blocking fetch was armed reads as a backlog's, and costs a call).
    await pause(200);
    // Back to back: the second is in the queue before the process, busy with the first, arms its blocking fetch
    // again, as pushes a round trip or two apart are across a network.
    await Promise.all([0, 1].map((n) => fixture.client.push({ class: 'Greet', args: [n] })));
    await bothDone;
    await waitingAgain();
    off();
    // Was a fetch.lua call that found the queue empty, after the second job.
    expect(emptyFetches).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
  }, 30_000);

  it('block again when the blocking fetch times out, without a fetch.lua call in between', async () => {
    await startRuntime();
    const before = await commandCalls();
    // The blocking fetch gives up every 2 s: wait for two more (two timeouts, each followed by a new one).
    await waitUntil(
      'two blocking fetches timed out and armed again',
      async () => ((await commandCalls()).get('blmove') ?? 0) >= (before.get('blmove') ?? 0) + 2,
      10_000,
      50,
    );
    const after = await commandCalls();
    // Was one fetch.lua call after each timeout: an idle process's round every 2 s cost Redis a call and an LRANGE
    // per queue beside its BLMOVEs.
    expect((after.get('evalsha') ?? 0) - (before.get('evalsha') ?? 0)).toBe(0);
    expect((after.get('lrange') ?? 0) - (before.get('lrange') ?? 0)).toBe(0);
  }, 30_000);

  describe('across a network (1 ms each way)', () => {
    let proxy: LatencyProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    // A job every few milliseconds comes back from the blocking fetch later than a round trip: the delay tells the
    // trickle, with no command behind each move to ask the queue's length.
    it('still skip fetch.lua and share their writes, with no command but the move per job', async () => {
      proxy = await startLatencyProxy(fixture.server.port, 1);
      const runtime = await startRuntime(`redis://127.0.0.1:${proxy.port}`);
      const jobs = 20;
      const { writes, delta } = await trickle(runtime, jobs, 4);
      // Was an LLEN behind every BLMOVE, and a write every 100 ms.
      expect(delta('llen')).toBe(0);
      expect(delta('blmove')).toBeGreaterThanOrEqual(jobs);
      expect(writes).toBeLessThan(jobs / 3);
      expect(delta('evalsha') - writes).toBeLessThan(jobs / 3); // fetch.lua's: each write has one ack script
      expect(await fixture.redis.get('stat:processed')).toBe(String(jobs));
      await runtime.stop(); // before its proxy closes
    }, 30_000);

    it('take a backlog in batches: jobs left behind the move are fetched with fetch.lua', async () => {
      proxy = await startLatencyProxy(fixture.server.port, 1);
      const runtime = await startRuntime(`redis://127.0.0.1:${proxy.port}`);
      const jobs = 200;
      const written = outcomesWritten(runtime.events, jobs);
      const before = await commandCalls();
      await fixture.client.pushBulk({ class: 'Greet', args: Array.from({ length: jobs }, (_, n) => [n]) });
      await written;
      const blockingMoves = (await commandCalls()).get('blmove')! - (before.get('blmove') ?? 0);
      // One job per round trip would take a BLMOVE each.
      expect(blockingMoves).toBeLessThan(20);
      expect(await fixture.redis.get('stat:processed')).toBe(String(jobs));
      await runtime.stop(); // before its proxy closes
    }, 30_000);
  });

  it('write a failure at once, with the successes waiting to be written', async () => {
    const runtime = await startRuntime();
    const greeted = runtime.events.next('job:done');
    const greet = await fixture.client.push({ class: 'Greet', args: [1] });
    await greeted;
    const written = runtime.events.next('complete:flushed');
    const broken = await fixture.client.push({ class: 'Broken', args: [] });
    expect([...(await written).jids].sort()).toEqual([greet, broken].sort());
    expect(await fixture.redis.zcard('retry')).toBe(1);
  });
});
