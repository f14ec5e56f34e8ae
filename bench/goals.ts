/** Issue #25's goals, read off the benchmark's rows and printed as met or not met with the ratios behind them. */
import { type Line, type Row, ratio } from './table.js';

export interface GoalInput {
  readonly local: readonly Line[];
  readonly proxied: readonly Line[];
  /** The drain at --log-level info against the same drain at warn. */
  readonly infoRatio: number;
  /** This build's plain drain against a baseline build's (--baseline), when one was given. */
  readonly baselineRatio?: number;
  readonly features: Readonly<Record<string, number>>;
  readonly hasSidekiq: boolean;
}

const rowsOf = (lines: readonly Line[]) => lines.filter((line): line is Row => typeof line !== 'string');

function find(lines: readonly Line[], start: string): Row {
  const found = rowsOf(lines).find((row) => row.label.startsWith(start));
  if (!found) throw new Error(`no row starting with "${start}"`);
  return found;
}

const x = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)}×`);

export function goalLines(input: GoalInput): string[] {
  const lines = ['goals of #25 (this run; medians):'];
  const goal = (text: string, met: boolean | undefined, detail: string) =>
    lines.push(`  ${met === undefined ? 'NOT MEASURED' : met ? 'met    ' : 'NOT MET'}  ${text}: ${detail}`);
  const atLeast = (row: Row, other: 'bullmq' | 'sidekiq', bar: number) => {
    const value = ratio(row, other);
    return { met: value === undefined ? undefined : value >= bar, text: x(value) };
  };
  const pair = (text: string, row: Row, bull: number, side: number) => {
    const b = atLeast(row, 'bullmq', bull);
    const s = input.hasSidekiq ? atLeast(row, 'sidekiq', side) : { met: undefined, text: 'no Sidekiq' };
    goal(
      text,
      b.met === undefined || s.met === undefined ? undefined : b.met && s.met,
      `${b.text} BullMQ, ${s.text} Sidekiq`,
    );
  };
  pair('1 ms each way: drain -c 30 ≥ 5× BullMQ and ≥ 10× Sidekiq', find(input.proxied, 'drain'), 5, 10);
  const bulk = atLeast(find(input.proxied, 'bulk enqueue'), 'bullmq', 10);
  goal('1 ms each way: bulk enqueue ≥ 10× BullMQ', bulk.met, bulk.text);
  for (const c of [30, 100]) {
    const drain = rowsOf(input.local).find((row) => row.label.includes(`at concurrency ${c}`))!;
    pair(`same host: drain -c ${c} ≥ 8× BullMQ and ≥ 15× Sidekiq`, drain, 8, 15);
  }
  const p99 = find(input.local, 'idle enqueue-to-start latency p99').values.sidepunch!;
  goal('same host: idle enqueue-to-start p99 < 3 ms', p99 < 3000, `${(p99 / 1000).toFixed(2)} ms`);
  goal(
    'default log level: drain within 15% of warn',
    input.infoRatio >= 0.85,
    `${(input.infoRatio * 100).toFixed(0)}% of the warn level's rate`,
  );
  for (const [name, lines_] of [
    ['same host', input.local],
    ['1 ms each way', input.proxied],
  ] as const) {
    const costs = rowsOf(lines_).filter(
      (row) => row.unit === 'commands/job' || row.unit === 'CPU s/100k jobs',
    );
    const losing = costs.filter((row) => {
      const ours = row.values.sidepunch!;
      return Object.entries(row.values).some(([system, value]) => system !== 'sidepunch' && value! < ours);
    });
    goal(
      `${name}: fewest Redis commands and least redis-server CPU per job, every scenario`,
      losing.length === 0,
      losing.length === 0
        ? `${costs.length} of ${costs.length} cost rows`
        : `not on ${losing.map((row) => row.label).join('; ')}`,
    );
  }
  const features = Object.entries(input.features).map(
    ([name, value]) => `${name.trim()} ×${value.toFixed(2)}`,
  );
  goal('features print their cost per job against a plain job', true, features.join(', '));
  const { baselineRatio } = input;
  goal(
    'a plain job’s drain within 5% of before #25',
    baselineRatio === undefined ? undefined : baselineRatio >= 0.95,
    baselineRatio === undefined
      ? 'give --baseline DIR, a built checkout from before #25 (docs/benchmarks.md)'
      : `${(baselineRatio * 100).toFixed(0)}% of the baseline's rate`,
  );
  return lines;
}
