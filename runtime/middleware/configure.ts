/**
 * What the registry's `configureServer(server)` hook receives: the process-wide chains to add middleware and
 * handlers to, the runtime's resolved settings, and a place to hand it the application's logger. `sidepunch-run`
 * calls it once per launcher (each `--threads` thread loads the registry and calls it for itself) before any job
 * is fetched, Sidekiq's `configure_server`.
 */

import type { FieldLogger } from '../core/field-logger.js';
import { type DeathHandler, deathHandlers, type ErrorHandler, errorHandlers } from '../core/handlers.js';
import type { Logger } from '../core/logger.js';
import type { RuntimeConfig } from '../server/run-config.js';
import type { MiddlewareChain } from './chain.js';
import { type ClientMiddleware, clientMiddleware } from './client-middleware.js';
import { type ServerMiddleware, serverMiddleware } from './server-middleware.js';

export interface ServerConfiguration {
  readonly config: RuntimeConfig;
  /** Around every `perform`. */
  readonly serverMiddleware: MiddlewareChain<ServerMiddleware>;
  /** Around every push from this process: the poller's moves of scheduled jobs and retries, and jobs' own pushes. */
  readonly clientMiddleware: MiddlewareChain<ClientMiddleware>;
  readonly errorHandlers: MiddlewareChain<ErrorHandler>;
  readonly deathHandlers: MiddlewareChain<DeathHandler>;
  /**
   * Set it to hand the runtime your logger (`server.logger = pino()`): pino, bunyan or any object whose level
   * methods take `(fields, message)`; the launcher's lines (job start, done, fail with its stack, …) go there
   * from then on, with the fields the text format prints (core/field-logger.ts).
   */
  logger?: FieldLogger | Logger;
}

export type ConfigureServer = (server: ServerConfiguration) => unknown;

export function serverConfiguration(config: RuntimeConfig): ServerConfiguration {
  return { config, serverMiddleware, clientMiddleware, errorHandlers, deathHandlers };
}
