/**
 * The system clock follows a step in the wall clock (NTP setting a host's time after boot, a VM restored): a
 * long-lived process must not keep the time it started with for its periodic ticks, limits and job timestamps.
 */
import { describe, expect, it } from 'vitest';
import { WallAnchor } from '../../runtime/core/clock.js';

describe('the system clock', () => {
  it('keeps the monotonic clock’s fractions while the wall clock agrees', () => {
    let wall = 1_000_000;
    const anchor = new WallAnchor(1_000_000 - 0.25, () => wall);
    expect(anchor.epochOf(0.5)).toBe(1_000_000.25);
    wall = 1_002_001;
    expect(anchor.epochOf(2000.5)).toBe(1_002_000.25);
  });

  it('follows a step of the wall clock within a second, forwards and back', () => {
    let wall = 1_000_000;
    const anchor = new WallAnchor(1_000_000, () => wall);
    expect(anchor.epochOf(0)).toBe(1_000_000);
    wall += 90_000 + 500; // stepped 90 s forward, half a second later
    expect(anchor.epochOf(500)).toBe(1_000_500); // not read again within a second
    wall = 1_000_000 + 90_000 + 1_000;
    expect(anchor.epochOf(1_000)).toBe(1_091_000);
    wall = 1_000_000 + 2_000 - 3_600_000; // an hour back
    expect(anchor.epochOf(2_000)).toBe(1_000_000 + 2_000 - 3_600_000);
  });
});
