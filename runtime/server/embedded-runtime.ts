/**
 * `sidepunch/embed`: the runtime inside a host's own process (Sidekiq 7's `configure_embed`, graphile-worker's
 * `run()`): the launcher sidepunch-run uses, without what belongs to a process of its own.
 *  1. the host passes its registry and sidepunch-run's settings (same defaults, same checks, same environment;
 *     without `queues`, `default` plus the queues its workers declare, registry-queues.ts);
 *  2. it subscribes to `events` before start(), so it hears every job;
 *  3. start() resolves once the process is registered and fetching; quiet() and stop() do what TSTP and TERM do,
 *     and a Stop from the Web UI calls stop();
 *  4. the host keeps its signals and its 'uncaughtException' handler: there is no crash guard, so an error a job
 *     throws from its own timers reaches the host rather than failing the job; no --threads, --processes, --web
 *     or --metrics-port.
 */
import { asLogger, type FieldLogger } from '../core/field-logger.js';
import type { LogFormat, Logger, LogLevel } from '../core/logger.js';
import { checkRegistry, type Registry } from '../core/registry.js';
import type { RuntimeEventSource } from './events.js';
import { Launcher } from './launcher.js';
import { logQueueChoice, withRegistryQueues } from './registry-queues.js';
import { resolveConfig } from './run-config.js';

/** sidepunch-run's flags, by their long names; numbers in their flags' units. */
export interface EmbedSettings {
  /** Default: REDIS_URL, else redis://127.0.0.1:6379. */
  readonly redis?: string | undefined;
  readonly namespace?: string | undefined;
  /** As `-q`: `name`, or `name,weight` for weighted order. Default: `default` and the registry's queues. */
  readonly queues?: readonly string[] | undefined;
  readonly concurrency?: number | undefined;
  /** Seconds stop() waits for running jobs before giving them back to their queues. */
  readonly timeout?: number | undefined;
  readonly tag?: string | undefined;
  /** For the runtime's own stdout logger; a host `logger` given instead filters by its own level. */
  readonly logLevel?: LogLevel | undefined;
  /** For the runtime's own stdout logger; ignored when `logger` is given. */
  readonly logFormat?: LogFormat | undefined;
  readonly pollInterval?: number | undefined;
  readonly heartbeat?: number | undefined;
  readonly processTtl?: number | undefined;
  readonly maxBlock?: number | undefined;
  readonly maxRescues?: number | undefined;
}

export interface EmbeddedRuntime {
  /** This process's entry in the process set, `hostname:pid:nonce`. */
  readonly identity: string;
  readonly events: RuntimeEventSource;
  /** Resolves once the first heartbeat is written and fetching has begun. */
  start(): Promise<void>;
  /** No new jobs; running ones finish. */
  quiet(): Promise<void>;
  /** Graceful shutdown; resolves false when Redis did not answer in time (what was left is logged). */
  stop(): Promise<boolean>;
}

export function embedRuntime(
  registry: Registry,
  settings: EmbedSettings = {},
  options: {
    /** The host's logger (pino, bunyan, any `(fields, message)` logger: core/field-logger.ts), or a LineLogger. */
    readonly logger?: Logger | FieldLogger | undefined;
  } = {},
): EmbeddedRuntime {
  const text = (value: number | undefined) => (value === undefined ? undefined : String(value));
  const resolved = resolveConfig({
    registryPath: '(embedded registry)',
    redis: settings.redis,
    namespace: settings.namespace,
    queues: settings.queues,
    concurrency: text(settings.concurrency),
    timeout: text(settings.timeout),
    tag: settings.tag,
    logLevel: settings.logLevel,
    logFormat: settings.logFormat,
    pollInterval: text(settings.pollInterval),
    heartbeat: text(settings.heartbeat),
    processTtl: text(settings.processTtl),
    maxBlock: text(settings.maxBlock),
    maxRescues: text(settings.maxRescues),
  });
  checkRegistry(registry, '(embedded registry)');
  const config = withRegistryQueues(resolved, registry);
  const logger = options.logger && asLogger(options.logger);
  const launcher = new Launcher(config, registry, { logger });
  logQueueChoice(config, registry, launcher.ctx.logger);
  return {
    identity: launcher.ctx.identity,
    events: launcher.events,
    start: () => launcher.start(),
    quiet: () => launcher.quiet(),
    stop: () => launcher.stop(),
  };
}
