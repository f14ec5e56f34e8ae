/**
 * Debounced jobs (BullMQ's deduplication in its debounce mode): a push waits `for` seconds in the schedule set;
 * another push of the same job (class, queue and arguments, or the arguments `by` picks) while it still waits
 * takes its place with the newer arguments (`keep: 'last'`) or leaves the first (`keep: 'first'`), and pushes
 * its time back to `for` seconds after this push (`extend`) — "recompute after the last edit". The pending job
 * stays an ordinary Sidekiq job in `schedule`; `debounce:<digest>` (keys.ts) remembers which member it is.
 * docs/unique-and-limits.md has the table of cases.
 */

/** `debounce` in WorkerOptions. */
export interface DebounceOptions {
  /** Seconds a pushed job waits before it runs (after the last push, with `extend`). */
  readonly for: number;
  /** Which arguments the pending job runs with: the last push's (the default) or the first's. */
  readonly keep?: 'last' | 'first';
  /** Whether each push moves the pending job's time to `for` seconds after it (default true). */
  readonly extend?: boolean;
  /** Positions of the arguments that make a job "the same" (default: all of them). */
  readonly by?: readonly number[];
}

/** A debounce option checked: what the client needs to push. */
export interface DebounceRule {
  readonly forSeconds: number;
  readonly keep: 'last' | 'first';
  readonly extend: boolean;
  readonly by?: readonly number[];
}

/** The rule from a merged `debounce` option; undefined for none or `false`; a clear error for a malformed one. */
export function debounceRuleOf(className: string, value: unknown): DebounceRule | undefined {
  if (value === undefined || value === false || value === null) return undefined;
  const problem = debounceProblem(value);
  if (problem) throw new Error(`job ${className}: "debounce" ${problem}`);
  const options = value as DebounceOptions;
  return {
    forSeconds: options.for,
    keep: options.keep ?? 'last',
    extend: options.extend ?? true,
    by: options.by,
  };
}

/** Why a `debounce` value is not one, or undefined (shared by the client and sidepunch-gen's check). */
export function debounceProblem(value: unknown): string | undefined {
  if (value === false) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be false or { for: seconds, keep?: "last" | "first", extend?: boolean, by?: [argument positions] }';
  const { for: seconds, keep, extend, by, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `has no field '${extra[0]}' (fields: for, keep, extend, by)`;
  if (typeof seconds !== 'number' || !(seconds > 0) || !Number.isFinite(seconds))
    return 'needs "for": a number of seconds > 0';
  if (keep !== undefined && keep !== 'last' && keep !== 'first') return '"keep" must be "last" or "first"';
  if (extend !== undefined && typeof extend !== 'boolean') return '"extend" must be true or false';
  if (
    by !== undefined &&
    !(Array.isArray(by) && by.length > 0 && by.every((i) => Number.isInteger(i) && i >= 0))
  )
    return '"by" must be a non-empty array of argument positions (whole numbers ≥ 0)';
  return undefined;
}
