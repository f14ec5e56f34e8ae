/** `api.periodic`: the declared entries with their schedule and state, pause / resume and "enqueue now". */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../runtime/core/clock.js';
import { PeriodicEntryNotFound, SidepunchApi } from '../../runtime/index.js';
import { type PeriodicProcess, periodicProcess, probeEntry } from '../support/periodic-process.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
const opened: PeriodicProcess[] = [];
afterEach(() => {
  for (const process of opened.splice(0)) process.close();
});

async function deployed(clock: FakeClock): Promise<PeriodicProcess> {
  const process = periodicProcess(fixture.server.url, clock, [
    probeEntry('nightly', '30 2 * * *', { tz: 'Europe/Paris', queue: 'low' }),
    probeEntry('every-minute', '* * * * *', { missed: 'last' }),
  ]);
  opened.push(process);
  await process.enqueuer.begin();
  return process;
}

describe('api.periodic', () => {
  it('lists the declared entries: schedule, class, args, next run, last run and its jid, paused', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 29, 12, 0, 30));
    const process = await deployed(clock);
    clock.advance(60_000);
    await process.enqueuer.tick();
    const api = new SidepunchApi({ redis: fixture.redis, clock });
    const [minutely, nightly] = await api.periodic.all();
    const [job] = await fixture.redis.lrange('queue:default', 0, -1);
    expect(minutely).toMatchObject({
      name: 'every-minute',
      cron: '* * * * *',
      className: 'Probe',
      args: ['ok', 'every-minute'],
      queue: 'default',
      missed: 'last',
      nextRun: new Date(Date.UTC(2026, 10, 29, 12, 2)),
      lastRun: new Date(Date.UTC(2026, 10, 29, 12, 1)),
      lastJid: JSON.parse(job!).jid,
      paused: false,
    });
    expect(minutely!.tz).toBeUndefined();
    expect(nightly).toMatchObject({
      name: 'nightly',
      tz: 'Europe/Paris',
      queue: 'low',
      nextRun: new Date(Date.UTC(2026, 10, 30, 1, 30)), // 02:30 CET
      paused: false,
    });
    expect(nightly!.lastRun).toBeUndefined();
    expect(await api.periodic.size()).toBe(2);
    expect((await api.periodic.get('nightly'))?.name).toBe('nightly');
    expect(await api.periodic.get('missing')).toBeUndefined();
  });

  it('a paused entry enqueues nothing until resumed; the flag is its own across a redeploy', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 29, 12, 0, 30));
    const process = await deployed(clock);
    const api = new SidepunchApi({ redis: fixture.redis, clock });
    await api.periodic.pause('every-minute');
    const paused = await api.periodic.get('every-minute');
    expect(paused).toMatchObject({ paused: true, pausedAt: new Date(clock.now()) });
    clock.advance(60_000);
    expect(await process.enqueuer.tick()).toBe(0);
    await deployed(clock); // a deploy of the same code
    expect((await api.periodic.get('every-minute'))?.paused).toBe(true);
    await paused!.resume();
    clock.advance(60_000);
    expect(await process.enqueuer.tick()).toBe(1);
    await expect(api.periodic.pause('missing')).rejects.toThrow(PeriodicEntryNotFound);
  });

  it('enqueue now pushes one job marked manual, paused or not, and leaves the ticks alone', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 29, 12, 0, 30) + 250);
    await deployed(clock);
    const api = new SidepunchApi({ redis: fixture.redis, clock });
    await api.periodic.pause('nightly');
    const jid = await api.periodic.enqueueNow('nightly');
    const [raw] = await fixture.redis.lrange('queue:low', 0, -1);
    expect(JSON.parse(raw!)).toMatchObject({
      jid,
      class: 'Probe',
      queue: 'low',
      args: ['ok', 'nightly'],
      periodic: { name: 'nightly', tick: Math.floor(clock.now() / 1000), manual: true }, // whole seconds
    });
    expect(await fixture.redis.smembers('queues')).toEqual(['low']);
    expect((await api.periodic.get('nightly'))?.lastRun).toBeUndefined();
    await expect(api.periodic.enqueueNow('missing')).rejects.toThrow(/no periodic entry is named "missing"/);
  });
});
