/**
 * TrickleDetector: a blocking fetch answered within about a round trip found its job waiting (a backlog); one
 * answered later waited for the push (a trickle). One that found its job waiting right after one that waited is a
 * push that beat the BLMOVE to Redis: a trickle still; two in a row are a backlog. Misjudged by a busy machine, a
 * backlog is still fetched the usual way every 32nd job.
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

  it('takes a job that beat the blocking fetch to Redis for a trickle, and two in a row for a backlog', () => {
    const detector = new TrickleDetector();
    detector.recordFetch(0.2);
    expect(detector.wasTrickle(0.1)).toBe(false); // found waiting, after a fetch.lua call that found jobs: a backlog
    expect(detector.wasTrickle(3)).toBe(true); // waited
    expect(detector.wasTrickle(0.1)).toBe(true); // found waiting, right after one that waited
    expect(detector.wasTrickle(0.1)).toBe(false); // again: a backlog
    detector.recordFetch(0.2);
    detector.foundEmpty(); // the fetch.lua calls found every queue empty
    expect(detector.wasTrickle(0.1)).toBe(true); // so this job came after them
    expect(detector.wasTrickle(0.1)).toBe(false);
  });
});
