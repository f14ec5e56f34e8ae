/**
 * What the registry's `configureServer(server)` hook receives: the process-wide chains to add middleware and
 * handlers to, and the runtime's resolved settings. `sidepunch-run` calls it once per launcher (each `--threads`
 * thread loads the registry and calls it for itself) before any job is fetched, Sidekiq's `configure_server`.
 */

import { type DeathHandler, deathHandlers, type ErrorHandler, errorHandlers } from '../core/handlers.js';
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
}

export type ConfigureServer = (server: ServerConfiguration) => unknown;

export function serverConfiguration(config: RuntimeConfig): ServerConfiguration {
  return { config, serverMiddleware, clientMiddleware, errorHandlers, deathHandlers };
}
