/**
 * A job reads the clocks once at its start and once at its outcome (issue #25: a clock read is about 0.1 µs on a
 * VM, and a no-op job's whole cost is a few µs): its elapsed time in the log line, its metrics sample and the
 * prefetch's measure share the readings, in real time or on a test's fake clock.
 */
import { describe, expect, it } from 'vitest';
import { epochAt, FakeClock, systemClock } from '../../runtime/core/clock.js';
import { UnitOfWork } from '../../runtime/server/unit-of-work.js';
import { ended, WorkState } from '../../runtime/server/work-state.js';

const unit = () => new UnitOfWork('{"class":"NoOp","args":[]}', 'default', 'queue:default:in-progress');

describe("a job's clock readings", () => {
  it('on the system clock: the epoch time of one performance.now() reading, as Date.now() tells it', () => {
    const job = new WorkState().open(unit(), systemClock);
    expect(job.performStart).toBe(performance.timeOrigin + job.startedAt);
    expect(Math.abs(job.performStart - Date.now())).toBeLessThan(50);
    expect(Math.floor(job.runAt)).toBe(Math.floor(job.performStart / 1000));
    const end = ended(job, systemClock);
    expect(end).toBe(performance.timeOrigin + job.endedAt);
    expect(end).toBeGreaterThanOrEqual(job.performStart);
  });

  it("on a test's fake clock: its time, not the machine's", () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const job = new WorkState().open(unit(), clock);
    expect(job.performStart).toBe(Date.UTC(2026, 0, 1));
    clock.advance(1500);
    expect(ended(job, clock) - job.performStart).toBe(1500);
    expect(epochAt(clock, 123)).toBe(clock.now());
  });

  it('at the outcome, once: the log line, the metrics sample and the prefetch get the same reading', () => {
    const clock = new FakeClock(0);
    const job = new WorkState().open(unit(), clock);
    clock.advance(7);
    const first = ended(job, clock);
    const monotonic = job.endedAt;
    clock.advance(1000);
    expect(ended(job, clock)).toBe(first);
    expect(job.endedAt).toBe(monotonic);
  });
});
