/**
 * The cost per job of the features landing in #22/#23/#25 against a plain job, for `npm run bench`: execution
 * metrics (bench/metrics-cost.ts: the drain with metrics off, Sidekiq 7's and Sidekiq 8's format) and unique jobs
 * and limiters (bench/limits.ts: pushed while one `sidepunch-run -c 20` drains), and batches (bench/batches.ts: a
 * job drained inside one batch, its success callback included). Each as jobs/s, its ratio to the
 * plain job of the same measurement, and Redis commands per job, the figure the machine's noise does not blur.
 */
import { batchCosts } from './batches.js';
import { limitCosts } from './limits.js';
import { metricsCosts } from './metrics-cost.js';
import type { Row } from './table.js';

export interface FeatureCosts {
  readonly rows: Row[];
  /** Each feature's jobs/s against its plain job's. */
  readonly ratios: Record<string, number>;
}

/** `all` false (the smoke run): Sidekiq 8's metrics format, the window limiter and batches are left out. */
export async function featureCosts(
  root: string,
  n: number,
  repeats: number,
  all = true,
): Promise<FeatureCosts> {
  const metrics = (await metricsCosts(root, n, repeats, [100], all ? undefined : ['off', 'sidekiq7'])).get(
    100,
  )!;
  const limits = await limitCosts(
    root,
    n,
    repeats,
    all ? undefined : ['NoOp', 'UniqueNoOp', 'ConcurrentNoOp'],
  );
  const rows: Row[] = [];
  const ratios: Record<string, number> = {};
  const add = (name: string, figure: { rate: number; commandsPerJob: number }, plain?: { rate: number }) => {
    const ratio = plain ? figure.rate / plain.rate : undefined;
    if (ratio !== undefined) ratios[name] = ratio;
    const against = ratio === undefined ? '' : `, ×${ratio.toFixed(2)} of plain`;
    rows.push(
      {
        label: `${name}${against}`,
        unit: 'jobs/s',
        higherIsBetter: true,
        values: { sidepunch: figure.rate },
      },
      {
        label: `${name}: Redis`,
        unit: 'commands/job',
        higherIsBetter: false,
        values: { sidepunch: figure.commandsPerJob },
      },
    );
  };
  const drainN = n.toLocaleString('en-US');
  add(`drain ${drainN} -c 100, plain job (metrics off)`, metrics.off!);
  add('  execution metrics, Sidekiq 7 format (the default)', metrics.sidekiq7!, metrics.off);
  if (metrics.sidekiq8) add('  execution metrics, Sidekiq 8 format', metrics.sidekiq8, metrics.off);
  add(`push + drain ${drainN} -c 20, plain job`, limits.get('NoOp')!);
  add('  unique job (lock per arguments)', limits.get('UniqueNoOp')!, limits.get('NoOp'));
  add('  concurrency limiter, never reached', limits.get('ConcurrentNoOp')!, limits.get('NoOp'));
  const window = limits.get('WindowNoOp');
  if (window) add('  window limiter, never reached', window, limits.get('NoOp'));
  if (all) {
    const batches = await batchCosts(root, n, repeats);
    const rate = (kind: 'plain' | 'batch') => ({
      rate: batches.get(kind)!.drainPerSecond,
      commandsPerJob: batches.get(kind)!.commandsPerJob,
    });
    add(`drain ${drainN} -c 20, plain job (pushed first)`, rate('plain'));
    add('  job in a batch (its callback included)', rate('batch'), rate('plain'));
  }
  return { rows, ratios };
}
