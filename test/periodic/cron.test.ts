/**
 * The cron semantics Sidepunch promises (docs/periodic.md), through croner: fields, seconds, macros, time zones,
 * and both daylight-saving transitions as Vixie cron users expect them.
 */
import { describe, expect, it } from 'vitest';
import { CronSchedule, cronProblem, timeZoneProblem } from '../../runtime/core/cron.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (seconds: number | undefined) =>
  seconds === undefined ? 'none' : new Date(seconds * 1000).toISOString();

/** The ticks of `schedule` from `fromIso` (exclusive) to `toIso` (inclusive). */
function ticks(schedule: CronSchedule, fromIso: string, toIso: string): string[] {
  const out: string[] = [];
  for (
    let tick = schedule.next(at(fromIso));
    tick !== undefined && tick <= at(toIso);
    tick = schedule.next(tick)
  )
    out.push(iso(tick));
  return out;
}

describe('cron expressions', () => {
  it('five fields tick on the minute, a sixth (seconds first) on the second', () => {
    expect(ticks(new CronSchedule('*/20 * * * *'), '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z')).toEqual([
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:40:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(ticks(new CronSchedule('*/2 * * * * *'), '2026-01-01T00:00:00Z', '2026-01-01T00:00:06Z')).toEqual([
      '2026-01-01T00:00:02.000Z',
      '2026-01-01T00:00:04.000Z',
      '2026-01-01T00:00:06.000Z',
    ]);
  });

  it('the macros tick as their five-field forms', () => {
    expect(iso(new CronSchedule('@hourly').next(at('2026-01-01T00:10:00Z')))).toBe(
      '2026-01-01T01:00:00.000Z',
    );
    expect(iso(new CronSchedule('@daily').next(at('2026-01-01T00:10:00Z')))).toBe('2026-01-02T00:00:00.000Z');
    expect(iso(new CronSchedule('@weekly').next(at('2026-01-01T00:10:00Z')))).toBe(
      '2026-01-04T00:00:00.000Z',
    );
    expect(iso(new CronSchedule('@monthly').next(at('2026-01-01T00:10:00Z')))).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    expect(iso(new CronSchedule('@yearly').next(at('2026-01-01T00:10:00Z')))).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('day of month and day of week both set: either matches, as in Vixie cron', () => {
    // 1st of the month OR a Monday: Monday 5 January comes before 1 February.
    expect(iso(new CronSchedule('0 0 1 * 1').next(at('2026-01-01T00:00:00Z')))).toBe(
      '2026-01-05T00:00:00.000Z',
    );
  });

  it('a tick exactly now is the latest at or before now, and not the next one after it', () => {
    const everySecond = new CronSchedule('* * * * * *');
    expect(iso(everySecond.latest(at('2026-01-01T00:00:05Z')))).toBe('2026-01-01T00:00:05.000Z');
    expect(iso(everySecond.latest(at('2026-01-01T00:00:05Z') + 0.7))).toBe('2026-01-01T00:00:05.000Z');
    expect(iso(everySecond.next(at('2026-01-01T00:00:05Z')))).toBe('2026-01-01T00:00:06.000Z');
  });

  it('a bad field is named, with its position in the expression', () => {
    expect(cronProblem('0 25 * * *')).toEqual({
      offset: 2,
      length: 2,
      message: expect.stringMatching(/^bad hour field "25": /),
    });
    expect(cronProblem('*/5 * * 13 *')).toMatchObject({ offset: 8, length: 2 });
    expect(cronProblem('*/5 * * 13 *')?.message).toMatch(/^bad month field "13"/);
    expect(cronProblem('61 * * * * *')).toMatchObject({
      offset: 0,
      message: expect.stringMatching(/^bad second field/),
    });
    expect(cronProblem('* * * *')?.message).toMatch(/has 4$/);
    expect(cronProblem('* * * * * * 2030')?.message).toMatch(/has 7$/);
    expect(cronProblem('@reboot')?.message).toMatch(/unknown macro "@reboot"/);
    expect(cronProblem('0 2 * * MON-FRI')).toBeUndefined();
    expect(cronProblem('@hourly')).toBeUndefined();
  });

  it('a month or day of month out of range is quoted as written, not as croner counts it (from 0)', () => {
    expect(cronProblem('0 0 * 13 *')?.message).toBe('bad month field "13": Invalid value for month: 13');
    expect(cronProblem('0 0 * 0-3 *')?.message).toBe('bad month field "0-3": Invalid value for month: 0');
    expect(cronProblem('0 0 32 * *')?.message).toBe('bad day of month field "32": Invalid value for day: 32');
    expect(cronProblem('0 0 0 * *')?.message).toBe('bad day of month field "0": Invalid value for day: 0');
    expect(cronProblem('0 0 33W * *')?.message).toBe(
      'bad day of month field "33W": Invalid value for day: 33',
    );
    expect(cronProblem('0 25 * * *')?.message).toBe('bad hour field "25": Invalid value for hour: 25');
    expect(cronProblem('0 0 * * 8')?.message).toBe(
      'bad day of week field "8": Invalid value for dayOfWeek: 8',
    );
  });

  it('time zones are IANA names', () => {
    expect(timeZoneProblem('Europe/Paris')).toBeUndefined();
    expect(timeZoneProblem('Mars/Olympus')).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(() => new CronSchedule('* * * * *', 'Mars/Olympus')).toThrow(/unknown time zone/);
  });
});

describe('time zones and daylight saving', () => {
  it("an entry without tz is UTC whatever the host's TZ", () => {
    const hostZone = process.env.TZ;
    process.env.TZ = 'America/New_York'; // Node reads the zone again when TZ changes
    try {
      const nine = new CronSchedule('0 9 * * *');
      expect(iso(nine.next(at('2026-01-15T00:00:00Z')))).toBe('2026-01-15T09:00:00.000Z');
      expect(iso(nine.latest(at('2026-07-15T12:00:00Z')))).toBe('2026-07-15T09:00:00.000Z');
    } finally {
      if (hostZone === undefined) delete process.env.TZ;
      else process.env.TZ = hostZone;
    }
  });

  it('a daily 09:00 in Europe/Paris is 08:00 UTC in winter and 07:00 UTC in summer', () => {
    const nine = new CronSchedule('0 9 * * *', 'Europe/Paris');
    expect(iso(nine.next(at('2026-01-15T00:00:00Z')))).toBe('2026-01-15T08:00:00.000Z');
    expect(iso(nine.next(at('2026-07-15T00:00:00Z')))).toBe('2026-07-15T07:00:00.000Z');
  });

  it('spring forward: a 02:30 job on the day 02:00–03:00 does not exist runs once, right after the change', () => {
    // America/New_York, 8 March 2026: 02:00 EST becomes 03:00 EDT.
    const job = new CronSchedule('30 2 * * *', 'America/New_York');
    expect(ticks(job, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT: the skipped 02:30, once
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
    // Europe/Paris, 29 March 2026: 02:00 CET becomes 03:00 CEST.
    const paris = new CronSchedule('30 2 * * *', 'Europe/Paris');
    expect(ticks(paris, '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z')).toEqual([
      '2026-03-29T01:00:00.000Z',
    ]);
  });

  it('fall back: a 01:30 job on the day 01:00–02:00 happens twice runs once, at the first 01:30', () => {
    // America/New_York, 1 November 2026: 02:00 EDT becomes 01:00 EST.
    const job = new CronSchedule('30 1 * * *', 'America/New_York');
    expect(ticks(job, '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first of the two: once
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('a list or range in the minute or hour field is a fixed time too: once on the fall-back day, once after the spring gap', () => {
    const newYork = (iso: string) =>
      new Date(iso).toLocaleString('en-US', { timeZone: 'America/New_York', timeZoneName: 'short' });
    const fallDay = (cron: string) =>
      ticks(new CronSchedule(cron, 'America/New_York'), '2026-11-01T04:00:00Z', '2026-11-01T20:00:00Z').map(
        newYork,
      );
    const springDay = (cron: string) =>
      ticks(new CronSchedule(cron, 'America/New_York'), '2026-03-08T05:00:00Z', '2026-03-08T20:00:00Z').map(
        newYork,
      );
    // Fall back, 1 November 2026: 01:00–02:00 happens twice; each listed time runs at its first occurrence.
    expect(fallDay('0,30 1 * * *')).toEqual(['11/1/2026, 1:00:00 AM EDT', '11/1/2026, 1:30:00 AM EDT']);
    expect(fallDay('30 1,13 * * *')).toEqual(['11/1/2026, 1:30:00 AM EDT', '11/1/2026, 1:30:00 PM EST']);
    expect(fallDay('30 1-2 * * *')).toEqual(['11/1/2026, 1:30:00 AM EDT', '11/1/2026, 2:30:00 AM EST']);
    // Spring forward, 8 March 2026: 02:00–03:00 does not exist; the times in it run once, at 03:00.
    expect(springDay('0,30 2 * * *')).toEqual(['3/8/2026, 3:00:00 AM EDT']);
    expect(springDay('30 2,14 * * *')).toEqual(['3/8/2026, 3:00:00 AM EDT', '3/8/2026, 2:30:00 PM EDT']);
    expect(springDay('30 1-2 * * *')).toEqual(['3/8/2026, 1:30:00 AM EST', '3/8/2026, 3:00:00 AM EDT']);
  });

  it('a `*` or a step in the minute or hour field keeps real time: both 01:xx hours on the fall-back day, none in the gap', () => {
    const fall = new CronSchedule('*/30 1 * * *', 'America/New_York');
    expect(ticks(fall, '2026-11-01T04:00:00Z', '2026-11-01T12:00:00Z')).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T06:30:00.000Z', // 01:30 EST
    ]);
    const spring = new CronSchedule('0-30/15 2 * * *', 'America/New_York');
    expect(ticks(spring, '2026-03-08T05:00:00Z', '2026-03-08T20:00:00Z')).toEqual([]);
  });

  it('on both transition days, an hourly job runs once per real hour', () => {
    const hourly = new CronSchedule('0 * * * *', 'America/New_York');
    // Fall back: 25 real hours from midnight to midnight.
    expect(ticks(hourly, '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')).toHaveLength(25);
    // Spring forward: 23.
    expect(ticks(hourly, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')).toHaveLength(23);
  });
});
