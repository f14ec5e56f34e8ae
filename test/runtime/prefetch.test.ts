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
