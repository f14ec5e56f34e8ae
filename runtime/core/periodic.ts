/**
 * What a user declares: periodic entries, next to the workers, through the typed stubs, so a wrong argument is a
 * compile error.
 *
 *   export default [
 *     periodic('nightly-report', '30 2 * * *', jobs.NightlyReport, ['eu'], { tz: 'Europe/Paris' }),
 *   ];
 *
 * The name is the entry's identity in Redis: its pause flag and last tick survive deploys under it. sidepunch-gen
 * finds the declarations (docs/periodic.md), checks each cron expression, and puts them into the registry.
 */
import type { WorkerStub } from '../client/stub.js';
import { encodeJob } from './job.js';
import { type UniqueRule, uniqueDigest, uniqueRuleOf } from './unique.js';
import type { WorkerClass, WorkerOptions } from './worker.js';

export interface PeriodicOptions {
  /** IANA time zone the cron fields are read in (default UTC). */
  readonly tz?: string;
  /** Queue for its jobs, instead of the worker's. */
  readonly queue?: string;
  /**
   * Ticks that passed while no process ran: `'skip'` them (the default), or enqueue `'last'` of them once when a
   * process starts.
   */
  readonly missed?: 'skip' | 'last';
}

export interface PeriodicEntry {
  readonly name: string;
  readonly cron: string;
  readonly tz?: string;
  readonly className: string;
  readonly args: readonly unknown[];
  /** The stub's options (its `set()` overrides included), then `queue` when given. */
  readonly options: Readonly<WorkerOptions>;
  readonly missed: 'skip' | 'last';
}

/** The argument list a stub's `performAsync` takes. */
export type StubArgs<Stub> = Stub extends WorkerStub<infer Args> ? Args : never;

/**
 * One periodic entry: every tick of `cron`, one `stub` job with `args`. The arguments' type is read off the stub
 * alone: inferred from both, a stub taking `[string, string]` would fit `['eu', 7]` too, since a stub's methods
 * compare their parameters both ways.
 */
export function periodic<Stub extends WorkerStub<readonly unknown[]>>(
  name: string,
  cron: string,
  stub: Stub,
  args: StubArgs<Stub>,
  options: PeriodicOptions = {},
): PeriodicEntry {
  return {
    name,
    cron,
    ...(options.tz === undefined ? {} : { tz: options.tz }),
    className: stub.className,
    args: [...args],
    options: { ...stub.options, ...(options.queue === undefined ? {} : { queue: options.queue }) },
    missed: options.missed ?? 'skip',
  };
}

/** The entry as stored in Redis: the same text from every process with the same code, so it compares as a string. */
export function periodicDefinition(entry: PeriodicEntry): string {
  return JSON.stringify({
    name: entry.name,
    cron: entry.cron,
    tz: entry.tz ?? null,
    class: entry.className,
    args: entry.args,
    options: sortedKeys(entry.options),
    missed: entry.missed,
  });
}

function sortedKeys(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The entry a stored definition describes (the data API and the Web UI read them back). */
export function entryFromDefinition(text: string): PeriodicEntry | undefined {
  try {
    const stored = JSON.parse(text) as Record<string, unknown>;
    if (
      typeof stored.name !== 'string' ||
      typeof stored.cron !== 'string' ||
      typeof stored.class !== 'string'
    )
      return undefined;
    return {
      name: stored.name,
      cron: stored.cron,
      ...(typeof stored.tz === 'string' ? { tz: stored.tz } : {}),
      className: stored.class,
      args: Array.isArray(stored.args) ? stored.args : [],
      options: (stored.options ?? {}) as WorkerOptions,
      missed: stored.missed === 'last' ? 'last' : 'skip',
    };
  } catch {
    return undefined;
  }
}

/**
 * A registry's entries with each worker's own options (`sidepunchOptions`) under the entry's: a hand-written
 * registry's `workerStub('X')` carries none, and the worker's queue and retry apply as they would to its pushes.
 */
export function periodicEntriesOf(registry: {
  readonly workers: Readonly<Record<string, WorkerClass>>;
  readonly periodic?: readonly PeriodicEntry[];
}): readonly PeriodicEntry[] | undefined {
  return registry.periodic?.map((entry) => {
    const own = Object.hasOwn(registry.workers, entry.className)
      ? registry.workers[entry.className]?.sidepunchOptions
      : undefined;
    return own ? { ...entry, options: { ...own, ...entry.options } } : entry;
  });
}

/** The entry's unique rule, when its options make its jobs unique. */
export function periodicUniqueRule(entry: PeriodicEntry): UniqueRule | undefined {
  return uniqueRuleOf(entry.className, entry.options.unique);
}

/**
 * The job one tick of `entry` enqueues, as the client would push it: the client's field order, the entry's options
 * (`unique` as its wire fields, the digest its lock's; `limit` and `childDeath` left to the worker class, which the
 * server reads), and `periodic: { name, tick }` (with `manual: true` for an "enqueue now", whose tick is its time).
 */
export function periodicJob(
  entry: PeriodicEntry,
  tick: number,
  jid: string,
  now: number,
  manual = false,
): string {
  const {
    unique: _unique,
    debounce: _debounce,
    limit: _limit,
    childDeath: _childDeath,
    ...options
  } = entry.options;
  const rule = periodicUniqueRule(entry);
  return encodeJob({
    retry: true,
    queue: 'default',
    ...options,
    args: entry.args,
    class: entry.className,
    jid,
    ...(rule
      ? {
          unique_for: rule.forSeconds,
          unique_until: rule.until,
          unique_digest: uniqueDigest(entry.className, options.queue ?? 'default', entry.args, rule.by),
        }
      : {}),
    created_at: now,
    enqueued_at: now,
    periodic: manual ? { name: entry.name, tick, manual: true } : { name: entry.name, tick },
  });
}
