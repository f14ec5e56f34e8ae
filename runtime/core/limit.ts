/**
 * Limits on a worker (Sidekiq Enterprise's `Sidekiq::Limiter` kinds), as the `limit` option declares them:
 *  - `concurrent`: at most `limit` jobs run at once across the fleet, each holding a lease that expires after
 *    `lease` seconds if its holder dies;
 *  - `window`: at most `limit` starts per fixed window of `per` seconds;
 *  - `bucket`: a token bucket, bursts of up to `limit` refilled at `limit` per `per` seconds;
 *  - `leaky`: a leaky bucket, `limit` starts per `per` seconds spaced evenly;
 * per key when `by` picks arguments (one limiter per customer, per counter, …). A job over its limit is not failed:
 * it is rescheduled a little later, its retry count untouched (docs/unique-and-limits.md).
 */

/** `limit` in WorkerOptions. */
export type LimitOptions = ConcurrentLimit | WindowLimit | BucketLimit | LeakyLimit;

interface LimitCommon {
  /** The limiter's name (default: the worker's class name); workers naming the same limiter share it. */
  readonly name?: string;
  /** Positions of the arguments that make the key: one limiter per distinct value (default: one for all). */
  readonly by?: readonly number[];
  /** Seconds a job over the limit waits for room, in its process, before it is rescheduled (default 1). */
  readonly wait?: number;
  /** Seconds before a rescheduled job runs again, plus up to as much again at random (default 1). */
  readonly backoff?: number;
}

export interface ConcurrentLimit extends LimitCommon {
  readonly kind: 'concurrent';
  /** Jobs at once. */
  readonly limit: number;
  /** Seconds a lease lasts if its holder dies before releasing it (default 60). */
  readonly lease?: number;
}

export interface WindowLimit extends LimitCommon {
  readonly kind: 'window';
  /** Starts per window. */
  readonly limit: number;
  /** The window's length in seconds (default 1). */
  readonly per?: number;
}

/** A token bucket: bursts of up to `limit`, refilled at `limit` per `per` seconds. */
export interface BucketLimit extends LimitCommon {
  readonly kind: 'bucket';
  readonly limit: number;
  /** Seconds to refill the whole bucket (default 1). */
  readonly per?: number;
}

/** A leaky bucket: `limit` starts per `per` seconds, spaced evenly (no burst). */
export interface LeakyLimit extends LimitCommon {
  readonly kind: 'leaky';
  readonly limit: number;
  /** Seconds (default 1). */
  readonly per?: number;
}

export const DEFAULT_LEASE_SECONDS = 60;
export const DEFAULT_BACKOFF_SECONDS = 1;
export const DEFAULT_WAIT_SECONDS = 1;

/** Why a `limit` value is not one, or undefined (shared by the runtime and sidepunch-gen's check). */
export function limitProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be { kind: "concurrent" | "window" | "bucket" | "leaky", limit: number, … }';
  const { kind, limit, name, by, lease, per, backoff, wait, ...rest } = value as Record<string, unknown>;
  if (kind !== 'concurrent' && kind !== 'window' && kind !== 'bucket' && kind !== 'leaky')
    return '"kind" must be "concurrent", "window", "bucket" or "leaky"';
  const extra = Object.keys(rest);
  if (extra.length > 0) return `has no field '${extra[0]}'`;
  if (!(typeof limit === 'number' && Number.isInteger(limit) && limit > 0))
    return '"limit" must be a whole number > 0';
  if (name !== undefined && !(typeof name === 'string' && name !== ''))
    return '"name" must be a non-empty string';
  if (
    by !== undefined &&
    !(Array.isArray(by) && by.length > 0 && by.every((i) => Number.isInteger(i) && i >= 0))
  )
    return '"by" must be a non-empty array of argument positions (whole numbers ≥ 0)';
  if (kind === 'concurrent' && per !== undefined)
    return '"per" is for a window, bucket or leaky limit (a concurrent one has "lease")';
  if (kind !== 'concurrent' && lease !== undefined) return '"lease" is for a concurrent limit';
  for (const [field, seconds] of [
    ['lease', lease],
    ['per', per],
    ['backoff', backoff],
  ] as const) {
    if (seconds !== undefined && !(typeof seconds === 'number' && seconds > 0 && Number.isFinite(seconds)))
      return `"${field}" must be a number of seconds > 0`;
  }
  if (wait !== undefined && !(typeof wait === 'number' && wait >= 0 && Number.isFinite(wait)))
    return '"wait" must be a number of seconds ≥ 0';
  return undefined;
}

/** The limiter a job of `className` with `args` counts against: its name, then each `by` value (limiterKey). */
export function limiterKeyOf(className: string, limit: LimitOptions, args: readonly unknown[]): string {
  const name = limit.name ?? className;
  if (!limit.by) return limiterKey(name);
  return limiterKey(
    name,
    limit.by.map((i) => (typeof args[i] === 'string' ? args[i] : JSON.stringify(args[i] ?? null))),
  );
}

/**
 * A limiter's part of its Redis keys: the name, then each value, `:`-joined. A `:` (and `%`) inside a name or a
 * value is percent-encoded, so limiter `api:v2` is not limiter `api` for key `v2`, nor values `a:b`, `c` the
 * values `a`, `b:c`; names and values without them (the common case) are left as they are.
 */
export function limiterKey(name: string, values?: readonly string[]): string {
  return [name, ...(values ?? [])].map(keyPart).join(':');
}

function keyPart(text: string): string {
  return text.replaceAll('%', '%25').replaceAll(':', '%3A');
}
