/**
 * Execution metrics per job class (Sidekiq's `Metrics::Query`), from the keys Sidepunch and Ruby Sidekiq 7+ write
 * (core/execution-metrics-format.ts), in either generation's format: for the last `minutes` minutes up to now,
 *  1. one pipeline of HGETALL, two per minute (7.x's and 8.x's names for it), summed per class: runs, failures,
 *     milliseconds of the successful runs, and per-minute series;
 *  2. for the classes returned, one pipeline of their histograms (only of the minutes and formats that named the
 *     class: a histogram is written with its minute's hash), summed over the period, from which the 95th
 *     percentile is read as the bound of the bucket it falls in.
 */
import {
  HISTOGRAM_BOUNDS_MS,
  HISTOGRAM_BUCKETS,
  histogramWindow,
  METRICS_FORMATS,
  minuteBucket,
} from '../core/execution-metrics-format.js';
import { readBatch } from '../redis/read-batch.js';
import type { ApiConnection } from './api-connection.js';

/** Sidekiq keeps metrics 8 hours. */
export const MAX_METRICS_MINUTES = 8 * 60;
const MINUTE_MS = 60_000;

export interface MinuteMetrics {
  /** The minute's start, UTC. */
  readonly at: Date;
  readonly processed: number;
  readonly failed: number;
  /** Milliseconds of the minute's successful runs. */
  readonly ms: number;
}

export interface ClassMetrics {
  /** The job class (`wrapped`, for an ActiveJob). */
  readonly className: string;
  /** Runs that reached the worker, failed or not (Sidekiq's `p`). */
  readonly processed: number;
  /** Runs that threw (`f`). */
  readonly failed: number;
  /** failed / processed; 0 when nothing ran. */
  readonly failureRate: number;
  /** Milliseconds of the successful runs together (`ms`). */
  readonly totalMs: number;
  /** totalMs / successful runs, as Sidekiq's `total_avg`; 0 when none succeeded. */
  readonly meanMs: number;
  /**
   * The 95th percentile of the successful runs' times, as the upper bound (ms) of the histogram bucket it falls in
   * (Infinity past 335 s); undefined without histogram data.
   */
  readonly p95Ms: number | undefined;
  /** Successful runs per histogram bucket (bounds: `HISTOGRAM_BOUNDS_MS`), summed over the period. */
  readonly histogram: readonly number[];
  /** One entry per minute of the period, oldest first. */
  readonly series: readonly MinuteMetrics[];
}

export interface MetricsReport {
  /** The first minute of the period and the last (the current minute), UTC. */
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly minutes: number;
  /** Busiest first (most runs, then name). */
  readonly classes: readonly ClassMetrics[];
}

export interface MetricsQuery {
  /** How many minutes, up to now (default 60, at most 480: Sidekiq keeps 8 hours). */
  readonly minutes?: number;
  /** Only classes whose name contains this text (or matches this pattern). */
  readonly classFilter?: string | RegExp;
  /** At most this many classes, the busiest (default: all). */
  readonly limit?: number;
}

export { HISTOGRAM_BOUNDS_MS };

interface Totals {
  processed: number[];
  failed: number[];
  ms: number[];
  /**
   * The minute hashes that named the class (indexes of the first pipeline's replies): its histograms are written
   * with them, in the same format and minute, so only those are read.
   */
  readonly seen: Set<number>;
}

export class Metrics {
  constructor(private readonly connection: ApiConnection) {}

  /** The classes that ran in the period, busiest first, with their totals, series and histograms. */
  async top(query: MetricsQuery = {}): Promise<MetricsReport> {
    const minutes = checkedMinutes(query.minutes ?? 60);
    const times = this.minuteStarts(minutes);
    const { redis, keys } = this.connection;
    const reads = readBatch(redis);
    for (const at of times)
      for (const format of METRICS_FORMATS) reads.hgetall(keys.jobMetrics(minuteBucket(format, at)));
    const replies = await reads.exec();
    const wanted = classMatcher(query.classFilter);
    const byClass = new Map<string, Totals>();
    replies.forEach(([error, reply], i) => {
      if (error) throw error;
      const minute = Math.floor(i / METRICS_FORMATS.length);
      const fields = (reply ?? {}) as Record<string, string>;
      for (const [field, value] of Object.entries(fields)) {
        const bar = field.lastIndexOf('|');
        const className = field.slice(0, bar);
        const metric = field.slice(bar + 1);
        if (!wanted(className)) continue;
        if (metric !== 'p' && metric !== 'f' && metric !== 'ms') continue;
        let totals = byClass.get(className);
        if (!totals) {
          totals = emptyTotals(minutes);
          byClass.set(className, totals);
        }
        totals.seen.add(i);
        const series = metric === 'p' ? totals.processed : metric === 'f' ? totals.failed : totals.ms;
        series[minute]! += Number(value) || 0;
      }
    });
    let ranked = [...byClass.entries()].sort(
      ([a, x], [b, y]) => sum(y.processed) - sum(x.processed) || (a < b ? -1 : a > b ? 1 : 0),
    );
    if (query.limit !== undefined) ranked = ranked.slice(0, Math.max(0, query.limit));
    const histograms = await this.histograms(ranked, times);
    return {
      startsAt: times[0]!,
      endsAt: times[times.length - 1]!,
      minutes,
      classes: ranked.map(([className, totals], i) => classMetrics(className, totals, times, histograms[i]!)),
    };
  }

  /** One class over the period (zeros when it did not run). */
  async forClass(className: string, options: { minutes?: number } = {}): Promise<ClassMetrics> {
    const report = await this.top({ minutes: options.minutes, classFilter: exactly(className) });
    const found = report.classes.find((metrics) => metrics.className === className);
    if (found) return found;
    const minutes = report.minutes;
    return classMetrics(
      className,
      emptyTotals(minutes),
      this.minuteStarts(minutes),
      zeros(HISTOGRAM_BUCKETS),
    );
  }

  /** The starts of the last `minutes` minutes, oldest first, the current one last. */
  private minuteStarts(minutes: number): Date[] {
    const now = Math.floor(this.connection.clock.now() / MINUTE_MS) * MINUTE_MS;
    return Array.from({ length: minutes }, (_, i) => new Date(now - (minutes - 1 - i) * MINUTE_MS));
  }

  private async histograms(
    classes: readonly (readonly [string, Totals])[],
    times: readonly Date[],
  ): Promise<number[][]> {
    const summed = classes.map(() => zeros(HISTOGRAM_BUCKETS));
    if (classes.length === 0) return summed;
    const { redis, keys } = this.connection;
    const reads = readBatch(redis);
    const owners: number[] = [];
    classes.forEach(([className, totals], owner) => {
      for (const i of totals.seen) {
        const format = METRICS_FORMATS[i % METRICS_FORMATS.length]!;
        const at = times[Math.floor(i / METRICS_FORMATS.length)]!;
        reads.getBuffer(keys.jobHistogram(className, histogramWindow(format, at), format === 'sidekiq8'));
        owners.push(owner);
      }
    });
    const replies = await reads.exec();
    replies.forEach(([error, reply], i) => {
      if (error) throw error;
      if (!Buffer.isBuffer(reply)) return;
      const counts = summed[owners[i]!]!;
      // Big-endian u16 counters, as BITFIELD lays them out; a shorter string holds zeros past its end.
      for (let bucket = 0; bucket < HISTOGRAM_BUCKETS && bucket * 2 + 1 < reply.length; bucket++)
        counts[bucket]! += reply.readUInt16BE(bucket * 2);
    });
    return summed;
  }
}

function classMetrics(
  className: string,
  totals: Totals,
  times: readonly Date[],
  histogram: readonly number[],
): ClassMetrics {
  const processed = sum(totals.processed);
  const failed = sum(totals.failed);
  const totalMs = sum(totals.ms);
  const succeeded = processed - failed;
  return {
    className,
    processed,
    failed,
    failureRate: processed === 0 ? 0 : failed / processed,
    totalMs,
    meanMs: succeeded <= 0 ? 0 : totalMs / succeeded,
    p95Ms: percentile(histogram, 0.95),
    histogram,
    series: times.map((at, i) => ({
      at,
      processed: totals.processed[i]!,
      failed: totals.failed[i]!,
      ms: totals.ms[i]!,
    })),
  };
}

/** The upper bound of the bucket holding the `rank` quantile; undefined for an empty histogram. */
export function percentile(histogram: readonly number[], rank: number): number | undefined {
  const total = sum(histogram);
  if (total === 0) return undefined;
  const target = Math.ceil(total * rank);
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    seen += histogram[bucket]!;
    if (seen >= target) return HISTOGRAM_BOUNDS_MS[bucket] ?? Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

function checkedMinutes(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_METRICS_MINUTES)
    throw new RangeError(`metrics cover 1 to ${MAX_METRICS_MINUTES} minutes, not ${minutes}`);
  return minutes;
}

/** The filter as a test of a class name; a RegExp's `g` and `y` flags dropped, so one test never moves the next. */
function classMatcher(filter: string | RegExp | undefined): (className: string) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'string') return (className) => className.includes(filter);
  const pattern = new RegExp(filter.source, filter.flags.replace(/[gy]/g, ''));
  return (className) => pattern.test(className);
}

function exactly(className: string): RegExp {
  return new RegExp(`^${literally(className)}$`);
}

/** A class filter for names holding `text` in any case: the Metrics page's, as Sidekiq's Web UI's. */
export function containingAnyCase(text: string): RegExp {
  return new RegExp(literally(text), 'i');
}

function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function emptyTotals(minutes: number): Totals {
  return { processed: zeros(minutes), failed: zeros(minutes), ms: zeros(minutes), seen: new Set() };
}

function zeros(length: number): number[] {
  return new Array<number>(length).fill(0);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
