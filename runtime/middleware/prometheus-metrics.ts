/**
 * Metrics middleware (a shipped example of server middleware): counts every run and times it, per worker class,
 * and renders Prometheus' text format 0.0.4 by hand (three metric families do not justify a dependency).
 *   sidepunch_jobs_processed_total{class,queue}  runs that finished, failed ones included (Sidekiq's "processed")
 *   sidepunch_jobs_failed_total{class,queue}     runs that threw
 *   sidepunch_job_duration_seconds{class}        histogram of run time, Prometheus' default buckets
 * `sidepunch-run --metrics-port PORT` adds one and serves it; snapshots of several threads merge into one page.
 */
import type { JobPayload } from '../core/job.js';
import type { ServerContext, ServerMiddlewareObject, ServerNext } from './server-middleware.js';

/** Prometheus' default buckets, in seconds. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface DurationHistogram {
  /** Runs per bucket, not cumulative; one more entry than DURATION_BUCKETS, for longer runs. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Plain data, so worker threads can post theirs to the thread that serves the page. */
export interface MetricsSnapshot {
  /** Keyed by `class\0queue`. */
  readonly processed: Record<string, number>;
  readonly failed: Record<string, number>;
  /** Keyed by class. */
  readonly durations: Record<string, DurationHistogram>;
}

export function emptySnapshot(): MetricsSnapshot {
  return { processed: {}, failed: {}, durations: {} };
}

export class MetricsMiddleware implements ServerMiddlewareObject {
  private readonly data = emptySnapshot();

  constructor(private readonly now: () => number = () => performance.now()) {}

  async call(job: Readonly<JobPayload>, next: ServerNext, context: ServerContext): Promise<void> {
    const started = this.now();
    let failed = true;
    try {
      await next();
      failed = false;
    } finally {
      this.record(job.class, context.queue, (this.now() - started) / 1000, failed);
    }
  }

  snapshot(): MetricsSnapshot {
    return structuredClone(this.data);
  }

  /** The page Prometheus scrapes. */
  render(): string {
    return renderMetrics(this.data);
  }

  private record(className: string, queue: string, seconds: number, failed: boolean): void {
    const key = `${className}\0${queue}`;
    this.data.processed[key] = (this.data.processed[key] ?? 0) + 1;
    if (failed) this.data.failed[key] = (this.data.failed[key] ?? 0) + 1;
    const histogram = histogramOf(this.data, className);
    let bucket = DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
    if (bucket < 0) bucket = DURATION_BUCKETS.length;
    histogram.counts[bucket]!++;
    histogram.sum += seconds;
    histogram.count++;
  }
}

function histogramOf(snapshot: MetricsSnapshot, className: string): DurationHistogram {
  let histogram = snapshot.durations[className];
  if (!histogram) {
    histogram = { counts: new Array(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
    snapshot.durations[className] = histogram;
  }
  return histogram;
}

/** Sums snapshots (one per thread) into one. */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const merged = emptySnapshot();
  for (const snapshot of snapshots) {
    for (const [key, value] of Object.entries(snapshot.processed)) {
      merged.processed[key] = (merged.processed[key] ?? 0) + value;
    }
    for (const [key, value] of Object.entries(snapshot.failed)) {
      merged.failed[key] = (merged.failed[key] ?? 0) + value;
    }
    for (const [className, histogram] of Object.entries(snapshot.durations)) {
      const into = histogramOf(merged, className);
      histogram.counts.forEach((count, i) => {
        into.counts[i] = (into.counts[i] ?? 0) + count;
      });
      into.sum += histogram.sum;
      into.count += histogram.count;
    }
  }
  return merged;
}

/** Prometheus text format 0.0.4. */
export function renderMetrics(snapshot: MetricsSnapshot): string {
  const lines = [
    '# HELP sidepunch_jobs_processed_total Jobs performed, failed ones included, by worker class and queue.',
    '# TYPE sidepunch_jobs_processed_total counter',
    ...counterLines('sidepunch_jobs_processed_total', snapshot.processed),
    '# HELP sidepunch_jobs_failed_total Jobs whose perform threw, by worker class and queue.',
    '# TYPE sidepunch_jobs_failed_total counter',
    ...counterLines('sidepunch_jobs_failed_total', snapshot.failed),
    '# HELP sidepunch_job_duration_seconds Time a job took to perform, by worker class.',
    '# TYPE sidepunch_job_duration_seconds histogram',
  ];
  for (const className of Object.keys(snapshot.durations).sort()) {
    const { counts, sum, count } = snapshot.durations[className]!;
    const label = `class="${escapeLabel(className)}"`;
    let cumulative = 0;
    DURATION_BUCKETS.forEach((bound, i) => {
      cumulative += counts[i] ?? 0;
      lines.push(`sidepunch_job_duration_seconds_bucket{${label},le="${bound}"} ${cumulative}`);
    });
    lines.push(`sidepunch_job_duration_seconds_bucket{${label},le="+Inf"} ${count}`);
    lines.push(`sidepunch_job_duration_seconds_sum{${label}} ${sum}`);
    lines.push(`sidepunch_job_duration_seconds_count{${label}} ${count}`);
  }
  return `${lines.join('\n')}\n`;
}

function counterLines(name: string, values: Record<string, number>): string[] {
  return Object.keys(values)
    .sort()
    .map((key) => {
      const [className = '', queue = ''] = key.split('\0');
      return `${name}{class="${escapeLabel(className)}",queue="${escapeLabel(queue)}"} ${values[key]}`;
    });
}

/** The format's escapes for label values: backslash, double quote and newline. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
