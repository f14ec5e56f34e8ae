/** Time is injected everywhere so that tests can drive it; nothing else reads the system clock. */
export interface Clock {
  /** Epoch milliseconds, with a fractional part where the platform gives one. */
  now(): number;
  /**
   * The system clock's own: the epoch milliseconds of a `performance.now()` reading, so a caller that needs both
   * (a job's start and end: its elapsed time, and the prefetch's measure) reads the clock once (epochAt).
   */
  epochOf?(monotonicMs: number): number;
}

/** `clock` at the moment `performance.now()` read `monotonicMs`: derived from it when the clock is the system's. */
export function epochAt(clock: Clock, monotonicMs: number): number {
  return clock.epochOf ? clock.epochOf(monotonicMs) : clock.now();
}

/** How often (monotonic ms) the wall clock is read again, to follow a step in it. */
const WALL_CHECK_MS = 1000;
/** A gap this wide from the wall clock is a step to follow, not `Date.now()`'s whole milliseconds. */
const STEP_MS = 5;

/**
 * Epoch milliseconds from the monotonic clock, with its fractions and its cost (no wall-clock read per call),
 * anchored to the wall clock and re-anchored when that steps: a host's clock set by NTP after boot, a VM restored
 * or a laptop woken. Without it a long-lived process kept the time it started with, and its periodic ticks, limits
 * and job timestamps ran off by the step for the rest of its life.
 */
export class WallAnchor {
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private origin: number,
    private readonly wall: () => number = Date.now,
  ) {}

  /** Epoch milliseconds at the monotonic reading `monotonicMs`. */
  epochOf(monotonicMs: number): number {
    if (monotonicMs - this.checkedAt >= WALL_CHECK_MS) {
      this.checkedAt = monotonicMs;
      const wall = this.wall();
      if (Math.abs(wall - (this.origin + monotonicMs)) > STEP_MS) this.origin = wall - monotonicMs;
    }
    return this.origin + monotonicMs;
  }
}

/** `performance.timeOrigin` read once: Node's getter checks its receiver on every read. */
const anchor = new WallAnchor(performance.timeOrigin);

export const systemClock: Clock = {
  now: () => anchor.epochOf(performance.now()),
  epochOf: (monotonicMs) => anchor.epochOf(monotonicMs),
};

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
