/**
 * `/metrics` and `/metrics/:class`: execution metrics per job class (api.metrics), from what Sidepunch and Ruby
 * Sidekiq 7+ write, over a chosen period (`?minutes=`, up to the 8 hours Sidekiq keeps; or Sidekiq's `?period=8h`).
 *  - the list: the busiest classes with runs, failures, failure rate, total, mean and p95 time, and a chart per
 *    class of its runs and failures over the period;
 *  - a class: the same figures, its chart, its mean time per interval, and its run-time histogram.
 */
import type { ClassMetrics, MinuteMetrics } from '../../api/metrics-query.js';
import { containingAnyCase, HISTOGRAM_BOUNDS_MS } from '../../api/metrics-query.js';
import { historyChart } from '../chart.js';
import { count } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { layout } from '../layout.js';
import { type Handler, page } from '../web-context.js';

const PERIODS = [15, 60, 180, 480] as const;
const DEFAULT_PERIOD = 60;
/** Sidekiq's Metrics tab names its periods `?period=1h`…: its bookmarks and links land on the same minutes. */
const SIDEKIQ_PERIODS: Readonly<Record<string, number>> = { '1h': 60, '2h': 120, '4h': 240, '8h': 480 };
/** Classes on the list, and of those, how many get a chart. */
const LIST_LIMIT = 50;
const CHARTS = 10;
/** A chart has at most this many points: longer periods sum minutes into intervals. */
const MAX_POINTS = 60;

function period(query: URLSearchParams): number {
  const asked = Number(query.get('minutes'));
  if (PERIODS.includes(asked as (typeof PERIODS)[number])) return asked;
  return SIDEKIQ_PERIODS[query.get('period') ?? ''] ?? DEFAULT_PERIOD;
}

export const metricsPage: Handler = async (context) => {
  const minutes = period(context.query);
  // Any case, as every search here; `?substr=` is Sidekiq's name for it.
  const filter = (context.query.get('filter') ?? context.query.get('substr'))?.trim() || undefined;
  const report = await context.api.metrics.top({
    minutes,
    classFilter: filter === undefined ? undefined : containingAnyCase(filter),
    limit: LIST_LIMIT,
  });
  const rows = report.classes.map(
    (metrics) => html`<tr data-class="${metrics.className}">
<td><a class="class" href="/metrics/${encodeURIComponent(metrics.className)}?minutes=${minutes}">${metrics.className}</a></td>
${figureCells(metrics)}
</tr>`,
  );
  const charts = report.classes.slice(0, CHARTS).map(
    (metrics) => html`<figure class="class-chart" data-class="${metrics.className}">
<figcaption><a href="/metrics/${encodeURIComponent(metrics.className)}?minutes=${minutes}">${metrics.className}</a></figcaption>
${runsChart(metrics)}
</figure>`,
  );
  const content = html`<h1>Metrics</h1>
${choices('/metrics', minutes, filter)}
<form class="search" method="get" action="/metrics"><input type="hidden" name="minutes" value="${minutes}"><input type="search" name="filter" value="${filter ?? ''}" placeholder="class name contains" aria-label="filter classes"><button type="submit">Filter</button></form>
<p><small>${utcMinute(report.startsAt)} to ${utcMinute(report.endsAt)} UTC, as Sidekiq's Metrics tab reads them; times are of successful runs</small></p>
${
  report.classes.length === 0
    ? html`<p class="empty">No job ran in these ${minutes} minutes${filter ? html` with “${filter}” in its class` : ''}.</p>`
    : html`<table class="list metrics" id="metrics">
<thead><tr><th>Class</th>${FIGURE_HEADERS}</tr></thead>
<tbody>${rows}</tbody>
</table>
<section class="panel">
<h2>Runs per ${intervalName(minutes)} <small>busiest ${Math.min(CHARTS, report.classes.length)}</small></h2>
${charts}
<p class="legend"><span class="processed">■ processed</span> <span class="failed">■ failed</span></p>
</section>`
}`;
  return page(layout(context, 'Metrics', '/metrics', content));
};

export const classMetricsPage: Handler = async (context) => {
  const minutes = period(context.query);
  const className = context.params[0]!;
  const metrics = await context.api.metrics.forClass(className, { minutes });
  const base = `/metrics/${encodeURIComponent(className)}`;
  const intervals = groupSeries(metrics.series);
  const meanChart = historyChart(
    intervals.map((interval) => interval.label),
    [
      {
        name: 'ms mean',
        className: 'processed',
        values: intervals.map((interval) => {
          const succeeded = interval.processed - interval.failed;
          return succeeded > 0 ? Math.round(interval.ms / succeeded) : 0;
        }),
      },
    ],
    {
      tick: (label) => label.slice(11, 16),
      describe: `mean time of ${className} per ${intervalName(minutes)}`,
    },
  );
  const histogramRows = metrics.histogram.map((runs, bucket) =>
    runs === 0 ? '' : html`<tr><th>${bucketLabel(bucket)}</th><td>${count(runs)}</td></tr>`,
  );
  const content = html`<h1>Metrics <small>${className}</small></h1>
${choices(base, minutes)}
<p><a href="/metrics?minutes=${minutes}">All classes</a></p>
<table class="list metrics" id="class-figures">
<thead><tr>${FIGURE_HEADERS}</tr></thead>
<tbody><tr data-class="${className}">${figureCells(metrics)}</tr></tbody>
</table>
<section class="panel">
<h2>Runs per ${intervalName(minutes)}</h2>
${runsChart(metrics)}
<p class="legend"><span class="processed">■ processed</span> <span class="failed">■ failed</span></p>
</section>
<section class="panel">
<h2>Mean time per ${intervalName(minutes)} <small>ms, successful runs</small></h2>
${meanChart}
</section>
<section class="panel">
<h2>Run times <small>successful runs per histogram bucket</small></h2>
${
  metrics.histogram.some((runs) => runs > 0)
    ? html`<table class="facts" id="histogram">${histogramRows}</table>`
    : html`<p class="empty">No successful run in these ${minutes} minutes.</p>`
}
</section>`;
  return page(layout(context, `Metrics: ${className}`, '/metrics', content));
};

const FIGURE_HEADERS = html`<th class="number">Processed</th><th class="number">Failed</th><th class="number">Failure rate</th><th class="number">Total time</th><th class="number">Mean</th><th class="number">p95</th>`;

function figureCells(metrics: ClassMetrics): SafeHtml {
  return html`<td class="number" data-figure="processed">${count(metrics.processed)}</td>
<td class="number" data-figure="failed">${count(metrics.failed)}</td>
<td class="number" data-figure="failure-rate">${percent(metrics.failureRate)}</td>
<td class="number" data-figure="total">${milliseconds(metrics.totalMs)}</td>
<td class="number" data-figure="mean">${metrics.processed > metrics.failed ? milliseconds(metrics.meanMs) : '–'}</td>
<td class="number" data-figure="p95" title="the bound of the histogram bucket the 95th percentile falls in">${p95(metrics.p95Ms)}</td>`;
}

function runsChart(metrics: ClassMetrics): SafeHtml {
  const intervals = groupSeries(metrics.series);
  return historyChart(
    intervals.map((interval) => interval.label),
    [
      { name: 'processed', className: 'processed', values: intervals.map((interval) => interval.processed) },
      { name: 'failed', className: 'failed', values: intervals.map((interval) => interval.failed) },
    ],
    { tick: (label) => label.slice(11, 16), describe: `runs and failures of ${metrics.className}` },
  );
}

interface Interval {
  /** ISO time of its first minute. */
  readonly label: string;
  processed: number;
  failed: number;
  ms: number;
}

/** The minutes summed into at most MAX_POINTS intervals of equal length. */
function groupSeries(series: readonly MinuteMetrics[]): Interval[] {
  const size = Math.ceil(series.length / MAX_POINTS);
  const intervals: Interval[] = [];
  series.forEach((minute, i) => {
    if (i % size === 0) intervals.push({ label: minute.at.toISOString(), processed: 0, failed: 0, ms: 0 });
    const interval = intervals[intervals.length - 1]!;
    interval.processed += minute.processed;
    interval.failed += minute.failed;
    interval.ms += minute.ms;
  });
  return intervals;
}

function intervalName(minutes: number): string {
  const size = Math.ceil(minutes / MAX_POINTS);
  return size === 1 ? 'minute' : `${size} minutes`;
}

function choices(base: string, minutes: number, filter?: string): SafeHtml {
  const extra = filter ? `&filter=${encodeURIComponent(filter)}` : '';
  return html`<p class="choices">${PERIODS.map((choice) =>
    choice === minutes
      ? html`<b>${periodLabel(choice)}</b>`
      : html`<a href="${base}?minutes=${choice}${extra}">${periodLabel(choice)}</a>`,
  )}</p>`;
}

function periodLabel(minutes: number): string {
  return minutes < 60 ? `${minutes} min` : `${minutes / 60} h`;
}

function utcMinute(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate === 0 || rate === 1 ? 0 : 1)}%`;
}

/** `850 ms`, `1.25 s`, `3.2 min`. */
function milliseconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

function p95(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (!Number.isFinite(ms)) return `> ${milliseconds(HISTOGRAM_BOUNDS_MS[HISTOGRAM_BOUNDS_MS.length - 1]!)}`;
  return `≤ ${milliseconds(ms)}`;
}

function bucketLabel(bucket: number): string {
  const upper = HISTOGRAM_BOUNDS_MS[bucket];
  const lower = bucket === 0 ? 0 : HISTOGRAM_BOUNDS_MS[bucket - 1]!;
  return upper === undefined
    ? `${milliseconds(lower)} and more`
    : `${milliseconds(lower)} – ${milliseconds(upper)}`;
}
