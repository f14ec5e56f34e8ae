/**
 * What the registry's `configureServer(server)` hook receives: the process-wide chains to add middleware and
 * handlers to, the runtime's resolved settings, a place to hand it the application's logger, and shutdown hooks. `sidepunch-run`
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
  /**
   * Runs `hook` once at shutdown, after the running jobs finished and their outcomes were written, Sidekiq's
   * `config.on(:shutdown)`: flush what an SDK still holds (spans, metrics). Hooks run in order; all of them get
   * 3 s, and one that throws is logged.
   */
  onShutdown(hook: ShutdownHook): void;
}

export type ConfigureServer = (server: ServerConfiguration) => unknown;

/** Work for the end of a launcher's life, such as a telemetry SDK's last export; may return a promise. */
export type ShutdownHook = () => unknown;

/** `hooks` collects what `onShutdown` is given, for the launcher that runs them. */
export function serverConfiguration(config: RuntimeConfig, hooks: ShutdownHook[] = []): ServerConfiguration {
  return {
    config,
    serverMiddleware,
    clientMiddleware,
    errorHandlers,
    deathHandlers,
    onShutdown: (hook) => void hooks.push(hook),
  };
}
