/** The benchmark's table: one row per figure, a column per system, Sidepunch's ratio against each of the others. */
import type { System } from './systems.js';

export interface Row {
  readonly label: string;
  readonly unit: string;
  /** Whether a bigger number is better (throughput) or worse (latency, memory, cost). */
  readonly higherIsBetter: boolean;
  readonly values: Partial<Record<System, number>>;
  /** Every run's figure behind a median value, in the order run (the JSON keeps them; the table shows medians). */
  readonly runs?: Partial<Record<System, number[]>>;
}

/** A heading line between groups of rows. */
export type Line = Row | string;

function format(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'commands/job' || unit === 'CPU s/100k jobs')
    return value < 1 ? value.toFixed(3) : value < 10 ? value.toFixed(2) : value.toFixed(1);
  if (unit === 'µs' || unit === 'ms')
    return value < 10 ? value.toFixed(2) : Math.round(value).toLocaleString('en-US');
  return Math.round(value).toLocaleString('en-US');
}

/** How many times better Sidepunch is than `other` on this row (2.00× = twice as good), or ''. */
export function ratio(row: Row, other: System): number | undefined {
  const ours = row.values.sidepunch;
  const theirs = row.values[other];
  if (ours === undefined || theirs === undefined || ours <= 0 || theirs <= 0) return undefined;
  return row.higherIsBetter ? ours / theirs : theirs / ours;
}

export function printTable(lines: readonly Line[]): string {
  const out = [
    `${'scenario'.padEnd(62)}${'sidepunch'.padStart(11)}${'bullmq'.padStart(11)}${'sidekiq'.padStart(11)}` +
      `${'vs bullmq'.padStart(11)}${'vs sidekiq'.padStart(11)}`,
  ];
  for (const line of lines) {
    if (typeof line === 'string') {
      out.push(`-- ${line}`);
      continue;
    }
    const factor = (other: System) => {
      const value = ratio(line, other);
      return value === undefined ? '' : `${value.toFixed(2)}×`;
    };
    out.push(
      `${`${line.label} (${line.unit})`.padEnd(62)}${format(line.values.sidepunch, line.unit).padStart(11)}` +
        `${format(line.values.bullmq, line.unit).padStart(11)}${format(line.values.sidekiq, line.unit).padStart(11)}` +
        `${factor('bullmq').padStart(11)}${factor('sidekiq').padStart(11)}`,
    );
  }
  return out.join('\n');
}
