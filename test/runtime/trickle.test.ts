/**
 * TrickleDetector: a blocking fetch answered within about a round trip found its job waiting (a backlog); one
 * answered later waited for the push (a trickle). Misjudged by a busy machine, a backlog is still fetched the usual
 * way every 32nd job.
 */
import { describe, expect, it } from 'vitest';
import { TrickleDetector } from '../../runtime/server/trickle.js';

describe('telling a trickle from a backlog', () => {
  it('knows nothing before a fetch.lua round trip was measured', () => {
    expect(new TrickleDetector().waited(1000)).toBe(false);
  });

  it('on the same host: a reply within a round trip and a half found its job waiting', () => {
    const detector = new TrickleDetector();
    for (const ms of [0.3, 0.12, 0.2]) detector.recordFetch(ms);
    expect(detector.waited(0.15)).toBe(false);
    expect(detector.waited(0.6)).toBe(false); // jitter up to half a millisecond
    expect(detector.waited(3)).toBe(true); // a job every 3 ms
  });

  it('across 1 ms each way: measured from the fastest recent round trip, not a slow first one', () => {
    const detector = new TrickleDetector();
    for (const ms of [40, 2.1, 2.3, 2.05]) detector.recordFetch(ms);
    expect(detector.waited(2.2)).toBe(false);
    expect(detector.waited(4.5)).toBe(true);
  });

  it('skips at most 32 fetches in a row, and counts again after a fetch', () => {
    const detector = new TrickleDetector();
    let skipped = 0;
    while (detector.maySkip()) skipped++;
    expect(skipped).toBe(32);
    detector.recordFetch(0.2);
    expect(detector.maySkip()).toBe(true);
  });
});
