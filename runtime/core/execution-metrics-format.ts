/**
 * Sidekiq's execution metrics format (its Metrics tab), for writing and reading alike. Per job class and minute:
 * a HASH of `<Class>|p` (runs), `<Class>|f` (failures), `<Class>|ms` (milliseconds of the successful runs), and a
 * histogram of the successful runs' durations: 26 unsigned 16-bit counters in one BITFIELD string, counter i for
 * runs shorter than HISTOGRAM_BOUNDS_MS[i] (the last for longer ones). Both expire after 8 hours.
 *  - `sidekiq7` (7.0 to 7.3): hash `j|YYYYMMDD|H:M` (hour and minute unpadded), histogram `<Class>-DD-HH:M`;
 *  - `sidekiq8` (8.0+): hash `j|YYMMDD|H:MM` (minute padded) and a 10-minute rollup under the same name without
 *    the minute's last digit (`j|YYMMDD|H:M`, 72 hours), histogram `h|<Class>-D-H:M` (all unpadded).
 * All times are UTC, as Sidekiq's.
 */

export type MetricsFormat = 'sidekiq7' | 'sidekiq8';
export const METRICS_FORMATS: readonly MetricsFormat[] = ['sidekiq7', 'sidekiq8'];
/** What `--execution-metrics` takes: the format to write, or `off`. */
export type ExecutionMetricsSetting = MetricsFormat | 'off';
export const EXECUTION_METRICS_SETTINGS: readonly ExecutionMetricsSetting[] = ['sidekiq7', 'sidekiq8', 'off'];

export function isExecutionMetricsSetting(value: string): value is ExecutionMetricsSetting {
  return (EXECUTION_METRICS_SETTINGS as readonly string[]).includes(value);
}

/** Upper bounds (exclusive, ms) of the first 25 histogram counters; the 26th counts every longer run. */
export const HISTOGRAM_BOUNDS_MS: readonly number[] = [
  20, 30, 45, 65, 100, 150, 225, 335, 500, 750, 1100, 1700, 2500, 3800, 5750, 8500, 13000, 20000, 30000,
  45000, 65000, 100000, 150000, 225000, 335000,
];
export const HISTOGRAM_BUCKETS = HISTOGRAM_BOUNDS_MS.length + 1;

export const MINUTE_TTL_SECONDS = 8 * 60 * 60;
export const ROLLUP_TTL_SECONDS = 72 * 60 * 60;

/** The histogram counter a run of `ms` milliseconds falls in. */
export function histogramBucket(ms: number): number {
  const index = HISTOGRAM_BOUNDS_MS.findIndex((bound) => ms < bound);
  return index === -1 ? HISTOGRAM_BOUNDS_MS.length : index;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The minute's hash name after `j|`, e.g. `20261129|9:5` (7.x) or `261129|9:05` (8.x). */
export function minuteBucket(format: MetricsFormat, at: Date): string {
  const year = at.getUTCFullYear();
  const date = `${pad2(at.getUTCMonth() + 1)}${pad2(at.getUTCDate())}`;
  const hour = at.getUTCHours();
  const minute = at.getUTCMinutes();
  return format === 'sidekiq7'
    ? `${year}${date}|${hour}:${minute}`
    : `${pad2(year % 100)}${date}|${hour}:${pad2(minute)}`;
}

/** Sidekiq 8's 10-minute rollup of a minute bucket: its last digit dropped (`261129|9:05` → `261129|9:0`). */
export function tenMinuteBucket(at: Date): string {
  return minuteBucket('sidekiq8', at).slice(0, -1);
}

/** The histogram key's time part after `<Class>-`, e.g. `29-09:5` (7.x) or `29-9:5` (8.x). */
export function histogramWindow(format: MetricsFormat, at: Date): string {
  const day = at.getUTCDate();
  const hour = at.getUTCHours();
  const minute = at.getUTCMinutes();
  return format === 'sidekiq7' ? `${pad2(day)}-${pad2(hour)}:${minute}` : `${day}-${hour}:${minute}`;
}
