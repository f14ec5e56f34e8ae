/**
 * Execution metrics in Sidekiq's format (core/execution-metrics-format.ts), so Sidekiq 7's Metrics tab and
 * `Sidekiq::Metrics::Query` show Sidepunch's classes, and Sidepunch's own Metrics page reads them back.
 *  1. the manager turns each finished run into a sample: its class (`wrapped` first, as Sidekiq), milliseconds,
 *     and whether it failed; runs that never reached `perform` (an unparsable payload, an unknown class, stopped by
 *     shutdown) count for nothing, as in Sidekiq, where they fail before its metrics middleware;
 *  2. the completer adds its batch's samples to a tally and writes it in the batch's MULTI, beside the
 *     processed/failed counters: one HINCRBY per class and field, one BITFIELD per class, and an EXPIRE the first
 *     time this process writes a key (a minute's keys), so the cost grows with the classes in a batch, not its jobs;
 *  3. as Sidekiq: every run counts in `p`, failures in `f`, and only successful runs in `ms` and the histogram.
 */
import {
  histogramBucket,
  histogramWindow,
  type MetricsFormat,
  MINUTE_TTL_SECONDS,
  minuteBucket,
  ROLLUP_TTL_SECONDS,
  tenMinuteBucket,
} from '../core/execution-metrics-format.js';
import { isInstanceOf } from '../core/thrown-value.js';
import type { Keys } from '../redis/keys.js';
import type { SlotBatch } from '../redis/slot-batch.js';
import type { Outcome } from './executor.js';
import { UnknownWorkerError } from './executor.js';

export interface ExecutionSample {
  readonly className: string;
  readonly ms: number;
  readonly failed: boolean;
}

/** The sample of a run that reached its worker, or undefined. */
export function executionSample(outcome: Outcome, elapsedMs: number): ExecutionSample | undefined {
  if (outcome.kind !== 'done' && outcome.kind !== 'failed') return undefined;
  if (outcome.kind === 'failed' && isInstanceOf(outcome.error, UnknownWorkerError)) return undefined;
  const { job } = outcome;
  const wrapped = (job as { wrapped?: unknown }).wrapped;
  const className = typeof wrapped === 'string' && wrapped !== '' ? wrapped : job.class;
  return { className, ms: Math.max(0, Math.round(elapsedMs)), failed: outcome.kind === 'failed' };
}

interface ClassTally {
  runs: number;
  failures: number;
  ms: number;
  /** Histogram counters, only the buckets used. */
  readonly buckets: Map<number, number>;
}

export class ExecutionTally {
  private readonly classes = new Map<string, ClassTally>();

  add(sample: ExecutionSample): void {
    let tally = this.classes.get(sample.className);
    if (!tally) {
      tally = { runs: 0, failures: 0, ms: 0, buckets: new Map() };
      this.classes.set(sample.className, tally);
    }
    tally.runs++;
    if (sample.failed) {
      tally.failures++;
      return;
    }
    tally.ms += sample.ms;
    const bucket = histogramBucket(sample.ms);
    tally.buckets.set(bucket, (tally.buckets.get(bucket) ?? 0) + 1);
  }

  get empty(): boolean {
    return this.classes.size === 0;
  }

  /**
   * Queues the tally's writes for the minute of `nowMs` on `batch`, with an EXPIRE for each key not in `expired`
   * (keys this process already gave their TTL: a minute's keys are written many times, their TTL set once is
   * enough); returns the keys given one, for the caller to add to `expired` once Redis has the batch.
   */
  write(
    batch: SlotBatch,
    keys: Keys,
    format: MetricsFormat,
    nowMs: number,
    expired: ReadonlySet<string> = new Set(),
  ): string[] {
    const given: string[] = [];
    if (this.empty) return given;
    const at = new Date(nowMs);
    const hashes: [string, number][] = [[keys.jobMetrics(minuteBucket(format, at)), MINUTE_TTL_SECONDS]];
    if (format === 'sidekiq8') hashes.push([keys.jobMetrics(tenMinuteBucket(at)), ROLLUP_TTL_SECONDS]);
    const fields: (string | number)[] = [];
    for (const [className, tally] of this.classes) {
      fields.push(`${className}|p`, tally.runs);
      if (tally.failures > 0) fields.push(`${className}|f`, tally.failures);
      if (tally.ms > 0) fields.push(`${className}|ms`, tally.ms);
    }
    for (const [key, ttl] of hashes) {
      const multi = batch.on(key);
      for (let i = 0; i < fields.length; i += 2) multi.hincrby(key, fields[i] as string, fields[i + 1]!);
      if (!expired.has(key)) {
        multi.expire(key, ttl);
        given.push(key);
      }
    }
    const window = histogramWindow(format, at);
    for (const [className, tally] of this.classes) {
      if (tally.buckets.size === 0) continue;
      const key = keys.jobHistogram(className, window, format === 'sidekiq8');
      const increments: (string | number)[] = [];
      for (const [bucket, count] of tally.buckets) increments.push('INCRBY', 'u16', `#${bucket}`, count);
      batch.on(key).call('BITFIELD', key, 'OVERFLOW', 'SAT', ...increments);
      if (!expired.has(key)) {
        batch.on(key).expire(key, MINUTE_TTL_SECONDS);
        given.push(key);
      }
    }
    return given;
  }
}
