/**
 * Server middleware: runs around every `perform` in `sidepunch-run`, Sidekiq's `server_middleware`. It can time
 * the job, log it, tag or replace the error it throws (rethrow to keep the job failed), or skip the job by
 * returning without calling `next`: a skipped job is acknowledged as done, as in Sidekiq. When the chain is empty
 * the executor calls `perform` directly, so it costs nothing.
 */
import type { JobPayload } from '../core/job.js';
import { processWide } from '../core/process-wide.js';
import type { SidepunchWorker, WorkerClass } from '../core/worker.js';
import { MiddlewareChain, runChain } from './chain.js';

export interface ServerContext {
  /** The worker instance about to perform (its `jid` and `signal` are set). */
  readonly worker: SidepunchWorker;
  readonly workerClass: WorkerClass;
  /** The queue the job was fetched from. */
  readonly queue: string;
}

/** Runs the rest of the chain, then `perform`; rejects with the job's error. */
export type ServerNext = () => Promise<void>;

export type ServerMiddlewareFunction = (
  job: Readonly<JobPayload>,
  next: ServerNext,
  context: ServerContext,
) => unknown;

export interface ServerMiddlewareObject {
  call(job: Readonly<JobPayload>, next: ServerNext, context: ServerContext): unknown;
}

/** A function `(job, next, context)` or an object with `call(job, next, context)`. */
export type ServerMiddleware = ServerMiddlewareFunction | ServerMiddlewareObject;

/** The process-wide server chain, used by the executor (core/process-wide.ts). */
export const serverMiddleware = processWide(
  'serverMiddleware',
  () => new MiddlewareChain<ServerMiddleware>(),
);

/** Runs `chain` around `perform`; resolves to whether `perform` ran (false: a middleware skipped the job). */
export function runServerMiddleware(
  chain: MiddlewareChain<ServerMiddleware>,
  job: Readonly<JobPayload>,
  context: ServerContext,
  perform: () => unknown,
): Promise<boolean> {
  return runChain(
    chain.entries,
    (entry, next) =>
      typeof entry === 'function' ? entry(job, next, context) : entry.call(job, next, context),
    perform,
  );
}
