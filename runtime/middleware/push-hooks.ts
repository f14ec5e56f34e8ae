/**
 * Push hooks: run around each `push` or `pushBulk` call as a whole, from its first job's client middleware to
 * Redis' reply, where client middleware sees one job at a time and runs before the jobs are saved. What needs the
 * whole call uses them: the OpenTelemetry producer span (one per call, whatever its size, failed when the push
 * fails). The poller's and the API's moves of stored jobs are not calls and run no push hook.
 */
import { MiddlewareChain } from './chain.js';

/** One `push` or `pushBulk` call, as its hooks and its jobs' client middleware see it. */
export interface PushCall {
  /** The class name on the wire. */
  readonly className: string;
  /** The queue its jobs are headed to before client middleware, which may route some elsewhere. */
  readonly queue: string;
  /** Jobs in the call. */
  readonly count: number;
  /** A `pushBulk` call, even of one job. */
  readonly bulk: boolean;
}

/** The jids of a call's jobs in order; undefined for a job a client middleware stopped. */
export type PushedJids = (string | undefined)[];

/**
 * Runs `push` (the hooks after it, then the call itself) and resolves to what it resolves to: a hook observes the
 * call, it cannot skip or change it. What `push` throws (a PushError) is the call's error; rethrow it.
 */
export type PushHook = (call: PushCall, push: () => Promise<PushedJids>) => Promise<PushedJids>;

/** The process-wide push hooks; the first one added is the outermost. */
export const pushHooks = new MiddlewareChain<PushHook>();

/** Runs `push` inside every push hook. */
export function aroundPush(call: PushCall, push: () => Promise<PushedJids>): Promise<PushedJids> {
  const hooks = pushHooks.entries;
  const step = (index: number): Promise<PushedJids> =>
    index === hooks.length ? push() : hooks[index]!(call, () => step(index + 1));
  return step(0);
}
