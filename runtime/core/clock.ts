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

/** Read once: Node's `performance.timeOrigin` getter checks its receiver on every read, as `now()` does. */
const timeOrigin = performance.timeOrigin;

export const systemClock: Clock = {
  now: () => timeOrigin + performance.now(),
  epochOf: (monotonicMs) => timeOrigin + monotonicMs,
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
