import { describe, expect, it } from 'vitest';
import { PrefetchSizer } from '../../runtime/server/prefetch.js';

describe('how many jobs are taken ahead of free slots', () => {
  it('stays at the concurrency for slow jobs, so they are not hoarded by one process', () => {
    const sizer = new PrefetchSizer(10);
    for (let i = 0; i < 200; i++) {
      sizer.recordJob(1000);
      sizer.recordFetch(0.3);
    }
    expect(sizer.extra()).toBe(10);
    expect(sizer.lowWater()).toBe(10);
  });

  it('grows for jobs much faster than a fetch round trip, up to 500', () => {
    const sizer = new PrefetchSizer(10);
    for (let i = 0; i < 200; i++) {
      sizer.recordJob(0.01);
      sizer.recordFetch(0.4);
    }
    expect(sizer.extra()).toBeGreaterThan(380);
    for (let i = 0; i < 200; i++) sizer.recordJob(0.001);
    expect(sizer.extra()).toBe(500);
  });

  it('holds at most about 20 ms of work per slot, however slow fetches look behind CPU-bound jobs', () => {
    const sizer = new PrefetchSizer(10);
    for (let i = 0; i < 200; i++) {
      sizer.recordJob(5);
      sizer.recordFetch(100); // replies wait for the event loop, busy with 5 ms jobs
    }
    expect(sizer.extra()).toBe(40); // 10 slots × 20 ms / 5 ms
  });
});

describe('how many large payloads are taken ahead', () => {
  /** A sizer at full pace (500 extra), then told what a fetch of `jobs` payloads of `chars` each brought. */
  function fastSizer(concurrency: number, jobs: number, chars: number): PrefetchSizer {
    const sizer = new PrefetchSizer(concurrency);
    for (let i = 0; i < 200; i++) {
      sizer.recordJob(0.001);
      sizer.recordFetch(0.4);
    }
    sizer.recordPayloads(jobs, jobs * chars);
    return sizer;
  }

  it('keeps small payloads at the pace: concurrency + 500 taken, fetched again below 250', () => {
    const sizer = fastSizer(30, 530, 200);
    expect(sizer.buffer()).toBe(530);
    expect(sizer.lowWater()).toBe(250);
  });

  it('holds about 16 MB of large ones, however fast they run (a 2 MB job 530 times over was a 1 GB reply)', () => {
    const sizer = fastSizer(30, 60, 2 * 1024 * 1024);
    expect(sizer.buffer()).toBe(8);
    expect(sizer.lowWater()).toBe(4);
    expect(fastSizer(30, 60, 200 * 1024).buffer()).toBe(81);
  });

  it('takes one at a time when a single payload is over 16 MB', () => {
    const sizer = fastSizer(10, 1, 40 * 1024 * 1024);
    expect(sizer.buffer()).toBe(1);
    expect(sizer.lowWater()).toBe(1);
  });

  it('counts a large fetch at once, and forgets it slowly once payloads are small again', () => {
    const sizer = fastSizer(30, 530, 200);
    sizer.recordPayloads(10, 10 * 2 * 1024 * 1024);
    expect(sizer.buffer()).toBe(8);
    for (let i = 0; i < 20; i++) sizer.recordPayloads(530, 530 * 200);
    expect(sizer.buffer()).toBeLessThan(530);
    for (let i = 0; i < 400; i++) sizer.recordPayloads(530, 530 * 200);
    expect(sizer.buffer()).toBe(530);
  });
});
