/**
 * Execution metrics: what the runtime writes with its acknowledgements, in Sidekiq 7's format (and 8's on request),
 * and what `api.metrics` reads back: per class runs, failures, failure rate, total and mean time of the successful
 * runs, their histogram and 95th percentile, and a per-minute series. Job times come from the runtime's clock: the
 * workers advance the fake clock, so every figure is exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, SidepunchApi } from '../../runtime/index.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const clock = new FakeClock();

class Timed {
  perform(ms: number): void {
    clock.advance(ms);
  }
}
class Boom {
  perform(): void {
    throw new Error('boom');
  }
}

/** One at a time; the next waits for room, and the test says when the one running may finish. */
let finishLimited = () => {};
class Limited {
  static sidepunchOptions = { limit: { kind: 'concurrent', limit: 1, lease: 30, wait: 10 } } as const;
  async perform(ms: number): Promise<void> {
    clock.advance(ms);
    await new Promise<void>((resolve) => {
      finishLimited = resolve;
    });
  }
}

let runtime: InProcessRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

/**
 * Pushes the jobs and resolves once their outcomes are written. Flushes are gathered from before the first push:
 * a job may be done before its push's reply arrives, and a set of jobs still waiting could empty between pushes.
 */
async function runJobs(jobs: { class: string; args: unknown[] }[]): Promise<void> {
  const flushed = new Set<string>();
  let check = () => {};
  const off = runtime!.launcher.events.on('complete:flushed', ({ jids }) => {
    for (const jid of jids) flushed.add(jid);
    check();
  });
  const pushed: string[] = [];
  for (const job of jobs) pushed.push((await fixture.client.push({ ...job, retry: false }))!);
  await new Promise<void>((resolve) => {
    check = () => {
      if (pushed.every((jid) => flushed.has(jid))) resolve();
    };
    check();
  });
  off();
}

/** Jobs taken from their queue and not yet acknowledged, across this test's in-progress lists. */
async function inProgress(): Promise<number> {
  const keys = await fixture.redis.keys('sidepunch:in-progress:*');
  let total = 0;
  for (const key of keys) total += await fixture.redis.llen(key);
  return total;
}

const start = (executionMetrics?: string, concurrency = 1) => {
  clock.set(Date.UTC(2026, 10, 28, 12, 0, 0));
  runtime = startInProcess(
    fixture.server.url,
    { Timed, Boom, Limited },
    { clock, concurrency, executionMetrics },
  );
};

describe('execution metrics', () => {
  it('writes Sidekiq 7’s keys with the acknowledgements, and api.metrics reads totals, rates, p95 and series', async () => {
    start();
    await runJobs([
      { class: 'Timed', args: [250] },
      { class: 'Timed', args: [250] },
      { class: 'Timed', args: [250] },
      { class: 'Timed', args: [10] },
      { class: 'Boom', args: [] },
      { class: 'Boom', args: [] },
    ]);
    clock.advance(60_000);
    await runJobs([{ class: 'Timed', args: [40] }]);

    const { redis } = fixture;
    expect(await redis.hgetall('j|20261128|12:0')).toEqual({
      'Timed|p': '4',
      'Timed|ms': '760',
      'Boom|p': '2',
      'Boom|f': '2',
    });
    expect(await redis.hgetall('j|20261128|12:1')).toEqual({ 'Timed|p': '1', 'Timed|ms': '40' });
    expect(await redis.ttl('j|20261128|12:0')).toBeGreaterThan(7 * 3600);
    // 250 ms is under 335 (counter 7), 10 under 20 (counter 0); failures have no histogram.
    const counters = await redis.call('BITFIELD', 'Timed-28-12:0', 'GET', 'u16', '#0', 'GET', 'u16', '#7');
    expect(counters).toEqual([1, 3]);
    expect(await redis.exists('Boom-28-12:0')).toBe(0);

    const api = new SidepunchApi({ redis: fixture.redis, clock });
    const report = await api.metrics.top({ minutes: 5 });
    expect(report.minutes).toBe(5);
    expect(report.endsAt).toEqual(new Date(Date.UTC(2026, 10, 28, 12, 1)));
    expect(report.startsAt).toEqual(new Date(Date.UTC(2026, 10, 28, 11, 57)));
    expect(report.classes.map((metrics) => metrics.className)).toEqual(['Timed', 'Boom']);
    const [timed, boom] = report.classes;
    expect(timed).toMatchObject({
      processed: 5,
      failed: 0,
      failureRate: 0,
      totalMs: 800,
      meanMs: 160,
      p95Ms: 335,
    });
    expect(timed!.histogram[0]).toBe(1);
    expect(timed!.histogram[2]).toBe(1);
    expect(timed!.histogram[7]).toBe(3);
    expect(timed!.series.map((minute) => minute.processed)).toEqual([0, 0, 0, 4, 1]);
    expect(boom).toMatchObject({ processed: 2, failed: 2, failureRate: 1, totalMs: 0, meanMs: 0 });
    expect(boom!.p95Ms).toBeUndefined();

    expect((await api.metrics.top({ minutes: 1 })).classes.map((m) => m.processed)).toEqual([1]);
    expect((await api.metrics.top({ classFilter: 'Bo' })).classes.map((m) => m.className)).toEqual(['Boom']);
    expect((await api.metrics.forClass('Timed', { minutes: 2 })).processed).toBe(5);
    expect((await api.metrics.forClass('Nothing')).processed).toBe(0);
    await expect(api.metrics.top({ minutes: 481 })).rejects.toThrow(
      'metrics cover 1 to 480 minutes, not 481',
    );
    await api.close();
  });

  it('counts a limited job from when it got room: the wait for the limiter is not execution time', async () => {
    start(undefined, 2);
    const first = runtime!.next('job:start');
    const ran = runJobs([
      { class: 'Limited', args: [300] },
      { class: 'Limited', args: [300] },
    ]);
    await first;
    // Both running (two threads): the second is waiting for the first to leave room.
    await expect.poll(() => inProgress(), { timeout: 10_000 }).toBe(2);
    const second = runtime!.next('job:start');
    clock.advance(1000);
    finishLimited();
    await second;
    finishLimited();
    await ran;
    // The first ran 300 + 1000 ms; the second 300, after waiting 1300 for room.
    expect(await fixture.redis.hgetall('j|20261128|12:0')).toEqual({
      'Limited|p': '2',
      'Limited|ms': '1600',
    });
  });

  it('writes Sidekiq 8’s keys with --execution-metrics sidekiq8 (with the 10-minute rollup), which api.metrics reads too', async () => {
    start('sidekiq8');
    await runJobs([
      { class: 'Timed', args: [100] },
      { class: 'Boom', args: [] },
    ]);
    const { redis } = fixture;
    expect(await redis.hgetall('j|261128|12:00')).toEqual({
      'Timed|p': '1',
      'Timed|ms': '100',
      'Boom|p': '1',
      'Boom|f': '1',
    });
    expect(await redis.hgetall('j|261128|12:0')).toEqual({
      'Timed|p': '1',
      'Timed|ms': '100',
      'Boom|p': '1',
      'Boom|f': '1',
    });
    expect(await redis.ttl('j|261128|12:0')).toBeGreaterThan(71 * 3600);
    expect(await redis.call('BITFIELD', 'h|Timed-28-12:0', 'GET', 'u16', '#5')).toEqual([1]);
    expect(await redis.keys('j|2026*')).toEqual([]);

    const api = new SidepunchApi({ redis: fixture.redis, clock });
    const { classes } = await api.metrics.top({ minutes: 1 });
    // As busy as each other: by name.
    expect(classes.map((metrics) => metrics.className)).toEqual(['Boom', 'Timed']);
    expect(classes[1]).toMatchObject({
      className: 'Timed',
      processed: 1,
      totalMs: 100,
      meanMs: 100,
      p95Ms: 150,
    });
    await api.close();
  });

  it('writes nothing with --execution-metrics off', async () => {
    start('off');
    await runJobs([{ class: 'Timed', args: [5] }]);
    expect(await fixture.redis.keys('j|*')).toEqual([]);
    expect(await fixture.redis.get('stat:processed')).toBe('1');
  });

  it('a RegExp class filter with the g or y flag reads every field of the classes it matches', async () => {
    clock.set(Date.UTC(2026, 10, 28, 12, 0, 30));
    await fixture.redis.hset('j|20261128|12:0', {
      'BillingCharge|p': '3',
      'BillingCharge|f': '1',
      'BillingCharge|ms': '30',
      'BillingRefund|p': '2',
      'BillingRefund|ms': '20',
      'Other|p': '1',
    });
    const api = new SidepunchApi({ redis: fixture.redis, clock });
    const figures = async (classFilter: string | RegExp) =>
      (await api.metrics.top({ minutes: 5, classFilter })).classes.map((c) => [
        c.className,
        c.processed,
        c.failed,
        c.totalMs,
      ]);
    const expected = [
      ['BillingCharge', 3, 1, 30],
      ['BillingRefund', 2, 0, 20],
    ];
    expect(await figures('Billing')).toEqual(expected);
    expect(await figures(/billing/gi)).toEqual(expected);
    expect(await figures(/Billing/y)).toEqual(expected);
    await api.close();
  });
});
