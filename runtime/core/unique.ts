/**
 * Unique jobs (Sidekiq Enterprise's `unique_for` / `unique_until`): the option as a worker writes it, and the
 * fields it becomes on the wire. While a job with the same class, queue and arguments (or the arguments `by`
 * picks) is pending, another push of it is dropped. The lock is `unique:<digest>` (keys.ts), holding the jid of
 * the job that took it, with an expiry of `for` seconds (plus the delay of a scheduled job), so a crash never
 * blocks a job for ever. docs/unique-and-limits.md has the table of what keeps and what releases it.
 */
import { createHash } from 'node:crypto';

/** `unique` in WorkerOptions. */
export interface UniqueOptions {
  /** Seconds the lock lasts at most (after the job's delay, for a scheduled job). */
  readonly for: number;
  /** When the lock is released: when the job starts, or when it succeeds (the default). */
  readonly until?: 'start' | 'success';
  /** Positions of the arguments that make a job "the same" (default: all of them). */
  readonly by?: readonly number[];
}

/** The wire fields of a unique job: Sidekiq Enterprise's `unique_for` and `unique_until`, and the lock's digest. */
export interface UniqueFields {
  readonly unique_for: number;
  readonly unique_until: 'start' | 'success';
  readonly unique_digest: string;
}

/** A unique option checked: what the client needs to take the lock. */
export interface UniqueRule {
  readonly forSeconds: number;
  readonly until: 'start' | 'success';
  readonly by?: readonly number[];
}

/** The rule from a merged `unique` option; undefined for none or `false`; a clear error for a malformed one. */
export function uniqueRuleOf(className: string, value: unknown): UniqueRule | undefined {
  if (value === undefined || value === false || value === null) return undefined;
  const problem = uniqueProblem(value);
  if (problem) throw new Error(`job ${className}: "unique" ${problem}`);
  const options = value as UniqueOptions;
  return { forSeconds: options.for, until: options.until ?? 'success', by: options.by };
}

/** Why a `unique` value is not one, or undefined (shared by the client and sidepunch-gen's check). */
export function uniqueProblem(value: unknown): string | undefined {
  if (value === false) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be false or { for: seconds, until?: "start" | "success", by?: [argument positions] }';
  const { for: seconds, until, by, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `has no field '${extra[0]}' (fields: for, until, by)`;
  if (typeof seconds !== 'number' || !(seconds > 0) || !Number.isFinite(seconds))
    return 'needs "for": a number of seconds > 0';
  if (until !== undefined && until !== 'start' && until !== 'success')
    return '"until" must be "start" or "success"';
  if (
    by !== undefined &&
    !(Array.isArray(by) && by.length > 0 && by.every((i) => Number.isInteger(i) && i >= 0))
  )
    return '"by" must be a non-empty array of argument positions (whole numbers ≥ 0)';
  return undefined;
}

/**
 * SHA-1 of `[class, queue, args]` as JSON (only the `by` arguments when given): jobs that agree on these share
 * one lock. Sidekiq Enterprise also digests class, queue and arguments; the exact bytes are Sidepunch's own.
 */
export function uniqueDigest(
  className: string,
  queue: string,
  args: readonly unknown[],
  by?: readonly number[],
): string {
  const picked = by ? by.map((i) => args[i] ?? null) : args;
  return createHash('sha1')
    .update(JSON.stringify([className, queue, picked]))
    .digest('hex');
}

/** The unique fields of a parsed job, when it carries them whole. */
export function uniqueFieldsOf(job: Readonly<Record<string, unknown>>): UniqueFields | undefined {
  const { unique_for, unique_until, unique_digest } = job;
  if (typeof unique_digest !== 'string' || typeof unique_for !== 'number') return undefined;
  return { unique_for, unique_until: unique_until === 'start' ? 'start' : 'success', unique_digest };
}
