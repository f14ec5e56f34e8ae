/**
 * Sidekiq's execution metrics keys, as 7.3.9 (lib/sidekiq/metrics/{tracking,query,shared}.rb) and 8.x name them,
 * and the histogram's buckets: the names must match byte for byte, or Ruby's Metrics tab reads nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  HISTOGRAM_BUCKETS,
  histogramBucket,
  histogramWindow,
  minuteBucket,
  tenMinuteBucket,
} from '../../runtime/core/execution-metrics-format.js';

const at = new Date('2026-03-04T05:06:07Z');
const late = new Date('2026-11-29T22:48:59Z');

describe('execution metrics keys', () => {
  it('names the minute as Sidekiq 7 does: j|%Y%m%d|%-H:%-M', () => {
    expect(minuteBucket('sidekiq7', at)).toBe('20260304|5:6');
    expect(minuteBucket('sidekiq7', late)).toBe('20261129|22:48');
  });

  it('names the minute as Sidekiq 8 does: j|%y%m%d|%-H:%M, and its 10-minute rollup without the last digit', () => {
    expect(minuteBucket('sidekiq8', at)).toBe('260304|5:06');
    expect(tenMinuteBucket(at)).toBe('260304|5:0');
    expect(minuteBucket('sidekiq8', late)).toBe('261129|22:48');
    expect(tenMinuteBucket(late)).toBe('261129|22:4');
  });

  it('names the histogram’s minute: 7.x %d-%H:%-M, 8.x %-d-%-H:%-M', () => {
    expect(histogramWindow('sidekiq7', at)).toBe('04-05:6');
    expect(histogramWindow('sidekiq8', at)).toBe('4-5:6');
    expect(histogramWindow('sidekiq7', late)).toBe('29-22:48');
  });

  it('puts a run in the first bucket whose bound it is under, and the 26th past 335 s', () => {
    expect(HISTOGRAM_BUCKETS).toBe(26);
    expect(histogramBucket(0)).toBe(0);
    expect(histogramBucket(19)).toBe(0);
    expect(histogramBucket(20)).toBe(1);
    expect(histogramBucket(280)).toBe(7);
    expect(histogramBucket(334_999)).toBe(24);
    expect(histogramBucket(335_000)).toBe(25);
    expect(histogramBucket(10_000_000)).toBe(25);
  });
});
