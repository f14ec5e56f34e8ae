/**
 * Global error and death handlers, as Sidekiq's `config.error_handlers` and `config.death_handlers`: ordered
 * chains managed like the middleware chains (`errorHandlers.add(h)`, `remove`, `insertBefore`, …), or with
 * `onJobError`/`onJobDeath`. Register them from the registry's `configureServer` or any module your workers
 * import; a handler that throws is logged and never stops a job's outcome from being written.
 */

import { MiddlewareChain } from '../middleware/chain.js';
import type { JobPayload } from './job.js';
import type { Logger } from './logger.js';
import { processWide } from './process-wide.js';
import { describeError } from './thrown-value.js';

export interface FailureContext {
  /** The job, when its payload could be read. */
  readonly job?: JobPayload;
  readonly queue: string;
}

/** Called on every failed execution, retried or not. */
export type ErrorHandler = (error: unknown, context: FailureContext) => unknown;
/** Called once when a job dies: retries exhausted, `retry: false`, or `sidepunchRetryIn` answered 'kill'. */
export type DeathHandler = (job: JobPayload, error: unknown) => unknown;

// One per process, whichever copy of sidepunch (ES module or CommonJS) a module adds to (core/process-wide.ts).
export const errorHandlers = processWide('errorHandlers', () => new MiddlewareChain<ErrorHandler>());
export const deathHandlers = processWide('deathHandlers', () => new MiddlewareChain<DeathHandler>());

/** Adds an error handler (`errorHandlers.add`); returns a function that removes it. */
export function onJobError(handler: ErrorHandler): () => void {
  return errorHandlers.add(handler);
}

/** Adds a death handler (`deathHandlers.add`); returns a function that removes it. */
export function onJobDeath(handler: DeathHandler): () => void {
  return deathHandlers.add(handler);
}

export async function notifyError(error: unknown, context: FailureContext, logger: Logger): Promise<void> {
  for (const handler of errorHandlers.entries) {
    await guarded(() => handler(error, context), 'error handler', logger);
  }
}

export async function notifyDeath(job: JobPayload, error: unknown, logger: Logger): Promise<void> {
  for (const handler of deathHandlers.entries) {
    await guarded(() => handler(job, error), 'death handler', logger);
  }
}

/** Runs user code whose failure must not change the job's outcome. */
export async function guarded(call: () => unknown, what: string, logger: Logger): Promise<void> {
  try {
    await call();
  } catch (error) {
    logger.error(`${what} threw: ${describeError(error)}`);
  }
}
