/**
 * Exactly once per tick, with a fake clock: several processes claiming the same ticks, the missed-tick policy,
 * and what a deploy does to the stored entries (added, changed, removed, paused).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../runtime/core/clock.js';
import type { PeriodicEntry } from '../../runtime/core/periodic.js';
import { SidepunchApi } from '../../runtime/index.js';
import { type PeriodicProcess, periodicProcess, probeEntry } from '../support/periodic-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const START = Date.UTC(2026, 10, 29, 12, 0, 0, 300);
const opened: PeriodicProcess[] = [];

afterEach(() => {
  for (const process of opened.splice(0)) process.close();
});

function start(clock: FakeClock, entries: readonly PeriodicEntry[], identity?: string): PeriodicProcess {
  const process = periodicProcess(fixture.server.url, clock, entries, identity);
  opened.push(process);
  return process;
}

/** The jobs on `queue`, oldest first. */
async function jobs(queue = 'default'): Promise<Record<string, any>[]> {
  return (await fixture.redis.lrange(`queue:${queue}`, 0, -1)).reverse().map((raw) => JSON.parse(raw));
}

describe('periodic ticks, claimed by every process', () => {
  it('three processes ticking the same every-second entry enqueue each tick once, each job naming its tick', async () => {
    const clock = new FakeClock(START);
    const entry = probeEntry('every-second', '* * * * * *');
    const processes = [start(clock, [entry]), start(clock, [entry]), start(clock, [entry])];
    for (const process of processes) await process.enqueuer.begin();
    let pushed = 0;
    for (let second = 1; second <= 10; second++) {
      clock.advance(1000);
      // All at once, as processes racing on one Redis.
      const counts = await Promise.all(processes.map((process) => process.enqueuer.tick()));
      pushed += counts.reduce((a, b) => a + b, 0);
    }
    const queued = await jobs();
    expect(pushed).toBe(10);
    expect(queued).toHaveLength(10);
    const ticks = queued.map((job) => job.periodic.tick);
    expect(new Set(ticks).size).toBe(10);
    expect(ticks[0]).toBe(Math.floor(START / 1000) + 1);
    expect(queued[0]).toMatchObject({
      queue: 'default',
      class: 'Probe',
      args: ['ok', 'every-second'],
      periodic: { name: 'every-second', tick: ticks[0] },
    });
    const state = await fixture.redis.hgetall('sidepunch:periodic:every-second');
    expect(state.last_tick).toBe(String(ticks.at(-1)));
    expect(state.last_jid).toBe(queued.at(-1)!.jid);
  });

  it('a process that was late tries every tick it slept through; the ones others took are not pushed twice', async () => {
    const clock = new FakeClock(START);
    const entry = probeEntry('every-second', '* * * * * *');
    const punctual = start(clock, [entry]);
    const late = start(clock, [entry]);
    await punctual.enqueuer.begin();
    await late.enqueuer.begin();
    for (let second = 1; second <= 3; second++) {
      clock.advance(1000);
      await punctual.enqueuer.tick();
    }
    clock.advance(2000);
    expect(await late.enqueuer.tick()).toBe(2); // the two ticks no one took yet
    expect((await jobs()).map((job) => job.periodic.tick)).toEqual(
      [1, 2, 3, 4, 5].map((n) => Math.floor(START / 1000) + n),
    );
  });

  it('the entry queue and time zone are honoured: a 09:00 Paris entry ticks at 08:00 UTC in winter', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 7, 59, 59));
    const process = start(clock, [probeEntry('morning', '0 9 * * *', { tz: 'Europe/Paris', queue: 'low' })]);
    await process.enqueuer.begin();
    clock.advance(1000);
    expect(await process.enqueuer.tick()).toBe(1);
    expect((await jobs('low'))[0]!.periodic).toEqual({
      name: 'morning',
      tick: Date.UTC(2026, 0, 15, 8) / 1000,
    });
    expect(await fixture.redis.smembers('queues')).toEqual(['low']);
  });

  it('across a spring-forward and a fall-back day, a 02:30 and a 01:30 New York entry each run once a day', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 7, 0, 0, 0));
    const spring = probeEntry('spring', '30 2 * * *', { tz: 'America/New_York' });
    const process = start(clock, [spring]);
    await process.enqueuer.begin();
    for (let minute = 0; minute < 3 * 24 * 60; minute++) {
      clock.advance(60_000);
      await process.enqueuer.tick();
    }
    expect((await jobs()).map((job) => new Date(job.periodic.tick * 1000).toISOString())).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
    await fixture.redis.del('queue:default');

    clock.set(Date.UTC(2026, 9, 31, 0, 0, 0));
    const fall = start(clock, [probeEntry('fall', '30 1 * * *', { tz: 'America/New_York' })]);
    await fall.enqueuer.begin();
    for (let minute = 0; minute < 3 * 24 * 60; minute++) {
      clock.advance(60_000);
      await fall.enqueuer.tick();
    }
    expect((await jobs()).map((job) => new Date(job.periodic.tick * 1000).toISOString())).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('a New York entry with a list or range runs each listed time once on both transition days', async () => {
    /** The ticks one process enqueues minute by minute over `hours` from `fromMs`, in New York time. */
    async function run(name: string, cron: string, fromMs: number, hours: number): Promise<string[]> {
      const clock = new FakeClock(fromMs);
      const process = start(clock, [probeEntry(name, cron, { tz: 'America/New_York', queue: name })]);
      await process.enqueuer.begin();
      for (let minute = 0; minute < hours * 60; minute++) {
        clock.advance(60_000);
        await process.enqueuer.tick();
      }
      return (await jobs(name)).map((job) =>
        new Date(job.periodic.tick * 1000).toLocaleString('en-US', {
          timeZone: 'America/New_York',
          timeZoneName: 'short',
        }),
      );
    }
    const fallMidnight = Date.UTC(2026, 10, 1, 4); // 00:00 EDT, 1 November 2026
    expect(await run('fall-list', '0,30 1 * * *', fallMidnight, 6)).toEqual([
      '11/1/2026, 1:00:00 AM EDT',
      '11/1/2026, 1:30:00 AM EDT',
    ]);
    const springMidnight = Date.UTC(2026, 2, 8, 5); // 00:00 EST, 8 March 2026
    expect(await run('spring-list', '0,30 2 * * *', springMidnight, 6)).toEqual(['3/8/2026, 3:00:00 AM EDT']);
    expect(await run('spring-hours', '30 2,14 * * *', springMidnight, 16)).toEqual([
      '3/8/2026, 3:00:00 AM EDT',
      '3/8/2026, 2:30:00 PM EDT',
    ]);
    expect(await run('spring-range', '30 1-2 * * *', springMidnight, 6)).toEqual([
      '3/8/2026, 1:30:00 AM EST',
      '3/8/2026, 3:00:00 AM EDT',
    ]);
  });
});

describe('ticks missed while no process ran', () => {
  async function runThenStopFor(entry: PeriodicEntry, clock: FakeClock, gapMs: number): Promise<void> {
    const first = start(clock, [entry]);
    await first.enqueuer.begin();
    clock.advance(60_000);
    expect(await first.enqueuer.tick()).toBe(1);
    first.close();
    clock.advance(gapMs);
  }

  it('are skipped by default: the next process enqueues only the ticks after it started', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 29, 12, 0, 30));
    const entry = probeEntry('minutely', '* * * * *');
    await runThenStopFor(entry, clock, 10 * 60_000);
    const next = start(clock, [entry]);
    await next.enqueuer.begin();
    expect(await next.enqueuer.tick()).toBe(0);
    clock.advance(60_000);
    expect(await next.enqueuer.tick()).toBe(1);
    expect((await jobs()).map((job) => job.periodic.tick)).toEqual([
      Date.UTC(2026, 10, 29, 12, 1) / 1000,
      Date.UTC(2026, 10, 29, 12, 12) / 1000,
    ]);
  });

  it("with missed: 'last', the latest missed tick is enqueued once at start-up, however many processes start", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 29, 12, 0, 30));
    const entry = probeEntry('minutely', '* * * * *', { missed: 'last' });
    await runThenStopFor(entry, clock, 10 * 60_000);
    const restarted = [start(clock, [entry]), start(clock, [entry])];
    await Promise.all(restarted.map((process) => process.enqueuer.begin()));
    expect((await jobs()).map((job) => job.periodic.tick)).toEqual([
      Date.UTC(2026, 10, 29, 12, 1) / 1000,
      Date.UTC(2026, 10, 29, 12, 11) / 1000, // the last of the ten missed, once
    ]);
    expect(restarted[0]!.log() + restarted[1]!.log()).toMatch(
      /"minutely" missed its tick of 2026-11-29T12:11:00.000Z/,
    );
  });

  it("with missed: 'last', ticks that passed while the entry was paused are not caught up after it is resumed", async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1, 5, 0, 0, 300));
    const entry = probeEntry('daily', '0 6 * * *', { missed: 'last' });
    const running = start(clock, [entry], 'host:1:running');
    await running.enqueuer.begin();
    const hours = async (process: PeriodicProcess, count: number) => {
      for (let minute = 0; minute < count * 60; minute++) {
        clock.advance(60_000);
        await process.enqueuer.tick();
      }
    };
    await hours(running, 2); // 06:00 on 1 June is enqueued
    const api = new SidepunchApi({ redis: fixture.redis, clock });
    await api.periodic.pause('daily');
    await hours(running, 48); // 06:00 on 2 and 3 June pass while paused, a process running
    await api.periodic.resume('daily'); // 07:00 on 3 June
    running.close();
    clock.advance(60_000); // a deploy: the next process starts a minute later
    const redeployed = start(clock, [entry], 'host:2:redeployed');
    await redeployed.enqueuer.begin();
    expect((await jobs()).map((job) => new Date(job.periodic.tick * 1000).toISOString())).toEqual([
      '2026-06-01T06:00:00.000Z',
    ]);
    expect(redeployed.log()).not.toMatch(/missed its tick/);
  });

  it("with missed: 'last', a tick paused while no process ran is not caught up; one missed after the resume is", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 29, 12, 0, 30));
    const entry = probeEntry('minutely', '* * * * *', { missed: 'last' });
    await runThenStopFor(entry, clock, 60_000); // 12:01 enqueued, then every process stops
    const api = new SidepunchApi({ redis: fixture.redis, clock });
    await api.periodic.pause('minutely');
    clock.advance(10 * 60_000);
    await api.periodic.resume('minutely'); // 12:12:30, still no process
    const first = start(clock, [entry]);
    await first.enqueuer.begin();
    expect(await jobs()).toHaveLength(1);
    first.close();
    clock.advance(2 * 60_000); // 12:13 and 12:14 pass with the entry resumed and no process
    const second = start(clock, [entry]);
    await second.enqueuer.begin();
    expect((await jobs()).map((job) => job.periodic.tick)).toEqual([
      Date.UTC(2026, 10, 29, 12, 1) / 1000,
      Date.UTC(2026, 10, 29, 12, 14) / 1000,
    ]);
  });

  it("with missed: 'last', an entry that never ran has missed nothing", async () => {
    const clock = new FakeClock(START);
    const process = start(clock, [probeEntry('new', '* * * * *', { missed: 'last' })]);
    await process.enqueuer.begin();
    expect(await jobs()).toEqual([]);
  });
});

describe('deploys', () => {
  it('an entry removed from the code disappears with its state; the old code can no longer enqueue it', async () => {
    const clock = new FakeClock(START);
    const kept = probeEntry('kept', '* * * * * *');
    const dropped = probeEntry('dropped', '* * * * * *');
    const old = start(clock, [kept, dropped], 'host:1:old');
    await old.enqueuer.begin();
    clock.advance(1000);
    expect(await old.enqueuer.tick()).toBe(2);
    const deployed = start(clock, [kept], 'host:2:new');
    await deployed.enqueuer.begin();
    expect(deployed.log()).toMatch(/periodic: 1 entries \(0 added, 0 changed, 1 removed\)/);
    expect(await fixture.redis.hkeys('sidepunch:periodic')).toEqual(['kept']);
    expect(await fixture.redis.exists('sidepunch:periodic:dropped')).toBe(0);
    clock.advance(1000);
    // The old process, still running during a rolling deploy, tries both: only `kept` goes through (once).
    expect(await old.enqueuer.tick()).toBe(1);
    expect(await deployed.enqueuer.tick()).toBe(0);
    expect((await jobs()).map((job) => job.periodic.name)).toEqual(['kept', 'dropped', 'kept']);
  });

  it('a changed entry takes effect at once, keeping its last tick and its pause flag', async () => {
    const clock = new FakeClock(START);
    const before = start(clock, [probeEntry('report', '* * * * * *', {}, 'before')], 'host:1:old');
    await before.enqueuer.begin();
    clock.advance(1000);
    await before.enqueuer.tick();
    await fixture.redis.hset('sidepunch:periodic:report', 'paused', '1');
    const after = start(clock, [probeEntry('report', '* * * * * *', {}, 'after')], 'host:2:new');
    await after.enqueuer.begin();
    expect(after.log()).toMatch(/0 added, 1 changed, 0 removed/);
    clock.advance(1000);
    expect(await after.enqueuer.tick()).toBe(0); // still paused
    await fixture.redis.hdel('sidepunch:periodic:report', 'paused');
    clock.advance(1000);
    expect(await after.enqueuer.tick()).toBe(1);
    expect(await before.enqueuer.tick()).toBe(0); // the old definition is no longer the stored one
    expect((await jobs()).map((job) => job.args[1])).toEqual(['before', 'after']);
  });

  it("a changed entry with missed: 'last' catches up no tick of its new schedule that passed before the change", async () => {
    // Daily at 00:00, running all day; at 14:30 a deploy makes it hourly. 14:00 was never a tick: nothing missed it.
    const clock = new FakeClock(Date.UTC(2026, 10, 29, 23, 59, 30));
    const old = start(clock, [probeEntry('report', '0 0 * * *', { missed: 'last' })], 'host:1:old');
    await old.enqueuer.begin();
    clock.advance(60_000);
    expect(await old.enqueuer.tick()).toBe(1);
    clock.set(Date.UTC(2026, 10, 30, 14, 30));
    const hourly = start(clock, [probeEntry('report', '0 * * * *', { missed: 'last' })], 'host:2:new');
    await hourly.enqueuer.begin();
    expect(hourly.log()).toMatch(/0 added, 1 changed, 0 removed/);
    expect(hourly.log()).not.toMatch(/missed its tick/);
    clock.set(Date.UTC(2026, 10, 30, 15, 0, 1));
    expect(await hourly.enqueuer.tick()).toBe(1);
    expect((await jobs()).map((job) => job.periodic.tick)).toEqual([
      Date.UTC(2026, 10, 30) / 1000,
      Date.UTC(2026, 10, 30, 15) / 1000,
    ]);
  });

  it('an entry whose schedule stayed (its arguments changed) still catches up the tick missed while none ran', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 30, 11, 59, 30));
    const old = start(clock, [probeEntry('report', '0 * * * *', { missed: 'last' }, 'before')], 'host:1:old');
    await old.enqueuer.begin();
    clock.advance(60_000);
    expect(await old.enqueuer.tick()).toBe(1);
    old.close();
    clock.set(Date.UTC(2026, 10, 30, 14, 30)); // down from 12:00 to 14:30
    const after = start(
      clock,
      [probeEntry('report', '0 * * * *', { missed: 'last' }, 'after')],
      'host:2:new',
    );
    await after.enqueuer.begin();
    expect((await jobs()).map((job) => [job.periodic.tick, job.args[1]])).toEqual([
      [Date.UTC(2026, 10, 30, 12) / 1000, 'before'],
      [Date.UTC(2026, 10, 30, 14) / 1000, 'after'],
    ]);
  });

  it('while the process that wrote the set runs, another version leaves it alone; once it is gone, it rewrites it', async () => {
    const clock = new FakeClock(START);
    const writer = start(clock, [probeEntry('a', '* * * * * *')], 'host:1:writer');
    await writer.enqueuer.begin();
    await fixture.redis.hset('host:1:writer', 'beat', '1'); // its heartbeat
    const other = start(clock, [probeEntry('b', '* * * * * *')], 'host:2:other');
    // `other` started earlier than the writer in this story: it does not write at begin(), only checks.
    expect(await other.enqueuer.checkEntrySet()).toBe(false);
    expect(await fixture.redis.hkeys('sidepunch:periodic')).toEqual(['a']);
    await fixture.redis.del('host:1:writer'); // its heartbeat expired
    expect(await other.enqueuer.checkEntrySet()).toBe(true);
    expect(await fixture.redis.hkeys('sidepunch:periodic')).toEqual(['b']);
    expect(await other.enqueuer.checkEntrySet()).toBe(false);
  });
});
