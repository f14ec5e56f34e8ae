/** Time is injected everywhere so that tests can drive it; nothing else reads the system clock. */
export interface Clock {
  /** Epoch milliseconds, with a fractional part where the platform gives one. */
  now(): number;
}

/** Read once: Node's `performance.timeOrigin` getter checks its receiver on every read, as `now()` does. */
const timeOrigin = performance.timeOrigin;

export const systemClock: Clock = {
  now: () => timeOrigin + performance.now(),
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
