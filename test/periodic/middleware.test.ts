/**
 * Client middleware and periodic jobs: one tick, one push through the chain, in the process that won the tick; a
 * process that dies between its claim and its push leaves the job for another to push, once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workerStub } from '../../runtime/client/stub.js';
import { FakeClock } from '../../runtime/core/clock.js';
import { type PeriodicEntry, periodic } from '../../runtime/core/periodic.js';
import { clientMiddleware } from '../../runtime/middleware/client-middleware.js';
import { type PeriodicProcess, periodicProcess, probeEntry } from '../support/periodic-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const START = Date.UTC(2026, 5, 1, 12, 0, 0, 300);
const opened: PeriodicProcess[] = [];

afterEach(() => {
  clientMiddleware.clear();
  for (const process of opened.splice(0)) process.close();
});

function start(clock: FakeClock, entries: readonly PeriodicEntry[], identity?: string): PeriodicProcess {
  const process = periodicProcess(fixture.server.url, clock, entries, identity);
  opened.push(process);
  return process;
}

async function queuedJids(queue = 'default'): Promise<string[]> {
  return (await fixture.redis.lrange(`queue:${queue}`, 0, -1)).reverse().map((raw) => JSON.parse(raw).jid);
}

/**
 * A process ('host:1:doomed', its heartbeat present) that claimed the every-minute entry's first tick and hangs in
 * its client middleware, killed there: its push never comes. The middleware lets every other job through once
 * `dying` is false; `survivor` is a second process started beside it before the claim.
 */
async function claimerDiesInMiddleware(clock: FakeClock, entry: PeriodicEntry) {
  const state = { dying: true };
  const reached = new Promise<void>((resolve) => {
    clientMiddleware.add(async (_job, next) => {
      if (state.dying) {
        resolve();
        return new Promise(() => {});
      }
      await next();
    });
  });
  const doomed = start(clock, [entry], 'host:1:doomed');
  const survivor = start(clock, [entry], 'host:2:survivor');
  await fixture.redis.hset('host:1:doomed', 'beat', '1');
  await doomed.enqueuer.begin();
  await survivor.enqueuer.begin();
  clock.advance(60_000);
  void doomed.enqueuer.tick();
  await reached; // doomed claimed the tick and is in the middleware
  state.dying = false;
  return { survivor };
}

describe('client middleware on periodic jobs', () => {
  it('three processes ticking one entry: the middleware sees each tick once, and only jobs that were pushed', async () => {
    const seen: string[] = [];
    clientMiddleware.add(async (job, next, context) => {
      expect(context.origin).toBe('periodic');
      seen.push(job.jid as string);
      await next();
    });
    const clock = new FakeClock(START);
    const entry = probeEntry('every-second', '* * * * * *');
    const processes = [start(clock, [entry]), start(clock, [entry]), start(clock, [entry])];
    for (const process of processes) await process.enqueuer.begin();
    for (let second = 1; second <= 5; second++) {
      clock.advance(1000);
      await Promise.all(processes.map((process) => process.enqueuer.tick()));
    }
    const jids = await queuedJids();
    expect(jids).toHaveLength(5);
    expect(seen).toEqual(expect.arrayContaining(jids));
    expect(seen).toHaveLength(5);
  });

  it('a middleware that changes the queue or stops the push still uses up the tick, once', async () => {
    clientMiddleware.add(async (job, next) => {
      if (job.periodic && (job.periodic as { tick: number }).tick % 2 === 0) return; // stopped
      job.queue = 'elsewhere';
      await next();
    });
    const clock = new FakeClock(START);
    const entry = probeEntry('every-second', '* * * * * *');
    const processes = [start(clock, [entry]), start(clock, [entry])];
    for (const process of processes) await process.enqueuer.begin();
    for (let second = 1; second <= 4; second++) {
      clock.advance(1000);
      await Promise.all(processes.map((process) => process.enqueuer.tick()));
    }
    expect(await queuedJids('elsewhere')).toHaveLength(2);
    expect(await fixture.redis.llen('queue:default')).toBe(0);
    const state = await fixture.redis.hgetall('sidepunch:periodic:every-second');
    expect(Number(state.last_tick)).toBe(Math.floor(START / 1000) + 4);
    expect(Object.keys(state).filter((field) => field.startsWith('pending'))).toEqual([]);
  });

  it('a process that dies between its claim and its push: another process pushes the job once its heartbeat is gone', async () => {
    const clock = new FakeClock(START);
    const { survivor } = await claimerDiesInMiddleware(clock, probeEntry('every-minute', '* * * * *'));
    expect(await survivor.enqueuer.tick()).toBe(0); // the tick is claimed
    expect(await survivor.enqueuer.pushStranded()).toBe(0); // its claimer is alive (maybe a slow middleware)
    await fixture.redis.del('host:1:doomed'); // its heartbeat expired
    expect(await survivor.enqueuer.pushStranded()).toBe(1);
    expect(await survivor.enqueuer.pushStranded()).toBe(0);
    const [job] = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw));
    expect(job.periodic).toEqual({ name: 'every-minute', tick: Date.UTC(2026, 5, 1, 12, 1) / 1000 });
    expect(survivor.log()).toMatch(
      /"every-minute": pushed the job of its tick of .* that host:1:doomed claimed/,
    );
  });

  it('a tick claimed while an earlier one is still held (its claimer died unnoticed) keeps both: each job is pushed once', async () => {
    const clock = new FakeClock(START);
    const { survivor } = await claimerDiesInMiddleware(clock, probeEntry('every-minute', '* * * * *'));
    clock.advance(60_000); // the next tick comes before the doomed process's heartbeat expires
    expect(await survivor.enqueuer.tick()).toBe(1);
    await fixture.redis.del('host:1:doomed');
    expect(await survivor.enqueuer.pushStranded()).toBe(1);
    const ticks = (await fixture.redis.lrange('queue:default', 0, -1)).map(
      (raw) => JSON.parse(raw).periodic.tick,
    );
    const minute = (m: number) => Date.UTC(2026, 5, 1, 12, m) / 1000;
    expect(ticks.sort()).toEqual([minute(1), minute(2)]);
    const state = await fixture.redis.hgetall('sidepunch:periodic:every-minute');
    expect(Object.keys(state).filter((field) => field.startsWith('pending'))).toEqual([]);
    // The entry's last run is still the latest tick's job, not the late one pushed after it.
    const latest = (await fixture.redis.lrange('queue:default', 0, -1))
      .map((raw) => JSON.parse(raw))
      .find((job) => job.periodic.tick === minute(2));
    expect(state.last_tick).toBe(String(minute(2)));
    expect(state.last_jid).toBe(latest.jid);
  });

  it('a job held by a claimer that died is pushed by a process without client middleware too, on its wake', async () => {
    const clock = new FakeClock(START);
    const entry = probeEntry('every-minute', '* * * * *');
    const { survivor } = await claimerDiesInMiddleware(clock, entry);
    clientMiddleware.clear(); // the fleet now runs a version without it
    await fixture.redis.del('host:1:doomed');
    await survivor.enqueuer.wake();
    const [job] = (await fixture.redis.lrange('queue:default', 0, -1)).map((raw) => JSON.parse(raw));
    expect(job.periodic).toEqual({ name: 'every-minute', tick: Date.UTC(2026, 5, 1, 12, 1) / 1000 });
  });

  it("a middleware that takes a unique entry's job out of uniqueness pushes it without a lock; later ticks still push", async () => {
    clientMiddleware.add(async (job, next) => {
      delete job.unique_for;
      delete job.unique_until;
      delete job.unique_digest;
      await next();
    });
    const clock = new FakeClock(START);
    const stub = workerStub<[string]>('Sync', { unique: { for: 600 } });
    const process = start(clock, [periodic('every-minute', '* * * * *', stub, ['x'])]);
    await process.enqueuer.begin();
    for (let minute = 1; minute <= 2; minute++) {
      clock.advance(60_000);
      await process.enqueuer.tick();
    }
    expect(await fixture.redis.llen('queue:default')).toBe(2);
    expect(await fixture.redis.keys('unique:*')).toEqual([]);
  });
});
