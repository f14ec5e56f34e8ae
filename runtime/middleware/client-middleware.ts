/**
 * Client middleware: runs around every push of a job to a queue or the schedule, Sidekiq's `client_middleware`.
 * It sees the job as an object before it is saved; it may change it (its queue, `at`, any field) or stop the push
 * by returning without calling `next`. It runs for `push`/`pushBulk`/the generated stubs, for the poller moving
 * due scheduled jobs and retries onto their queues, and in the testing modes.
 */
import type { JobPayload } from '../core/job.js';
import { processWide } from '../core/process-wide.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { MiddlewareChain, runChain } from './chain.js';
import type { PushCall } from './push-hooks.js';

/** Where a push comes from. */
export type PushOrigin = 'client' | 'schedule' | 'retry' | 'api' | 'periodic';

export interface ClientContext {
  /** The class name on the wire. */
  readonly className: string;
  /** The queue the job was headed to when the chain started. */
  readonly queue: string;
  /** The connection the job goes to; undefined in the testing modes. */
  readonly redis: RedisConnection | undefined;
  readonly origin: PushOrigin;
  /** The `push` or `pushBulk` call the job is one of; undefined for the poller's and the API's moves. */
  readonly call?: PushCall;
}

/** Runs the rest of the chain, then the push itself. */
export type ClientNext = () => Promise<void>;

export type ClientMiddlewareFunction = (job: JobPayload, next: ClientNext, context: ClientContext) => unknown;

export interface ClientMiddlewareObject {
  call(job: JobPayload, next: ClientNext, context: ClientContext): unknown;
}

/** A function `(job, next, context)` or an object with `call(job, next, context)`. */
export type ClientMiddleware = ClientMiddlewareFunction | ClientMiddlewareObject;

/** The process-wide client chain: every client, the poller and the testing modes use it (core/process-wide.ts). */
export const clientMiddleware = processWide(
  'clientMiddleware',
  () => new MiddlewareChain<ClientMiddleware>(),
);

/**
 * Runs the client chain on `job` (which middleware may change in place); resolves to whether it is still to be
 * pushed. Everything that pushes a job calls this (the Client, the poller; the API's re-push should too).
 */
export function runClientMiddleware(
  job: JobPayload,
  context: ClientContext,
  chain: MiddlewareChain<ClientMiddleware> = clientMiddleware,
): Promise<boolean> {
  return runChain(
    chain.entries,
    (entry, next) =>
      typeof entry === 'function' ? entry(job, next, context) : entry.call(job, next, context),
    () => undefined,
  );
}
