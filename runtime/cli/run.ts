/**
 * `sidepunch-run <registry.js>`: parses Sidekiq-style flags, loads the registry and runs the launcher until
 * SIGTERM or SIGINT, then shuts down gracefully and exits 0. Bad flags: one line on stderr, exit 2. Errors that
 * escape a job's await and exits that a job makes itself are handled by crash-guard.ts and exit-guard.ts.
 */
import { type Logger, runtimeLogger } from '../core/logger.js';
import { loadRegistry, type Registry, RegistryError } from '../core/registry.js';
import { MetricsMiddleware } from '../middleware/prometheus-metrics.js';
import { serverMiddleware } from '../middleware/server-middleware.js';
import { parseRedisUrl } from '../redis/redis-url.js';
import { installCrashGuard } from '../server/crash-guard.js';
import { exitProcess, guardExit } from '../server/exit-guard.js';
import { Launcher, refusePeriodicOnCluster } from '../server/launcher.js';
import { MetricsServerError, serveMetrics } from '../server/metrics-server.js';
import { logQueueChoice, withRegistryQueues } from '../server/registry-queues.js';
import { ConfigError, DEFAULTS, type RuntimeConfig, resolveConfig } from '../server/run-config.js';
import { catchSignals, onTstp, onTtin } from '../server/supervise/process-signals.js';
import { runSwarm } from '../server/supervise/swarm.js';
import { tellSupervisor } from '../server/supervise/swarm-messages.js';
import { runThreads } from '../server/supervise/thread-pool.js';
import { AuthConfigError } from '../web/auth.js';
import { WebServerError } from '../web/web-server.js';
import { parseCommandLine, registryArgument } from './command-line.js';
import { stopWhenOrphaned } from './parent-watch.js';
import { serveDashboard } from './run-dashboard.js';
import { parseOrExit, UsageError, versionLine } from './usage.js';

const HELP = `Usage: sidepunch-run [options] <registry.js>
       sidepunch-run check [--redis URL] [--namespace NS] [--json] <registry.js>

Performs the jobs of the workers in <registry.js> (made by sidepunch-gen, or written by hand).
"check" reads the stored jobs and reports those <registry.js> would reject or upgrade after a
change of a worker's arguments, changing nothing (exit 1 when some would be rejected; see
docs/deploys.md).

Options:
  -c, --concurrency N       jobs in flight at once per event loop (per thread) (default ${DEFAULTS.concurrency}):
                            for I/O-bound jobs, raise this
  -q, --queue NAME[,WEIGHT] a queue to work, repeatable; without weights the queues are strict
                            (each drained before the next), with weights each fetch picks a queue
                            with a chance proportional to its weight (default: "default" and every
                            queue the registry's workers declare, in a random order per fetch; a
                            queue chosen only at push time needs -q)
  -t, --timeout SECONDS     at shutdown, how long running jobs may finish before they are requeued
                            (default ${DEFAULTS.timeoutSeconds})
      --threads K           K worker threads, each with its own fetch loop and -c jobs in flight
                            (default 1): for CPU-bound jobs, one per core
      --processes P         a supervisor forks P sidepunch-run processes, restarts one that crashes
                            and forwards signals (default 1): CPU-bound jobs, or isolation
  -g, --tag TAG             a label for this process, shown by Sidekiq's Web UI
      --redis URL           Redis to use (default: $REDIS_URL or ${DEFAULTS.redis}):
                            redis://[user:pass@]host:port/db, rediss://… for TLS (?tls_ca=FILE),
                            redis+sentinel://h1:26379,h2:26379/mymaster, redis+cluster://h1:p1,h2:p2
      --namespace NS        prefix every key with "NS:" (default: none, or $SIDEPUNCH_NAMESPACE)
      --poll-interval SECONDS
                            average seconds between polls of the schedule and retry sets, per
                            live process (default ${DEFAULTS.pollIntervalSeconds})
      --heartbeat SECONDS   seconds between heartbeats (default ${DEFAULTS.heartbeatSeconds})
      --process-ttl SECONDS a process silent this long is dead and its jobs are rescued; whole
                            seconds (default ${DEFAULTS.processTtlSeconds})
      --max-block SECONDS   how long a job may block the event loop (synchronous work) before this
                            process counts as dead and its jobs are rescued, to run again
                            elsewhere (default ${DEFAULTS.maxBlockSeconds})
      --max-rescues N       rescues from dead processes before a job counts as a poison pill and
                            goes to the dead set (default ${DEFAULTS.maxRescues})
      --container-grace SECONDS
                            the orchestrator's stop grace period (or $SIDEPUNCH_CONTAINER_GRACE);
                            warns when --timeout would outlast it
      --metrics-port PORT   serve Prometheus metrics (jobs processed and failed, run time per
                            class) at http://HOST:PORT/metrics; with --threads, one page for all
                            threads; with --processes, child i serves PORT+i (0: any free port)
      --metrics-host HOST   the address the metrics page binds to (default ${DEFAULTS.metricsHost})
      --execution-metrics FORMAT
                            per-class metrics for Sidekiq's Metrics tab and the dashboard's:
                            sidekiq7 (default), sidekiq8 (for a fleet on Sidekiq 8) or off
                            (or $SIDEPUNCH_EXECUTION_METRICS)
      --web PORT            serve the web dashboard at http://HOST:PORT from this process (0: any
                            free port); with --threads or --processes, the main process serves it;
                            authentication from $SIDEPUNCH_WEB_AUTH (user:password) or
                            $SIDEPUNCH_WEB_TOKEN
      --web-host HOST       the address the dashboard binds to (default ${DEFAULTS.webHost}); elsewhere,
                            set one of those variables: anyone who reaches it can delete jobs
      --log-level LEVEL     debug, info, warn or error (default info, or $SIDEPUNCH_LOG_LEVEL)
  -v, --verbose             the same as --log-level debug
      --log-format FORMAT   text (Sidekiq's lines) or json (one object per line, for log shippers)
                            (default text, or $SIDEPUNCH_LOG_FORMAT)
  -h, --help                show this help
  -V, --version             show the version

Signals: TERM or INT stop gracefully (running jobs get --timeout seconds, the rest go back to
their queues unchanged); TSTP makes the process quiet (no new jobs; running ones finish); TTIN
logs what every running job is doing. The Web UI's Quiet and Stop buttons send the same through
Redis. When Redis does not answer, shutdown
gives up 3 s after --timeout, says what it left for a rescuer, and exits 1. See docs/deploying.md
for starting it so that TERM reaches it (systemd, Docker, Kubernetes, npm scripts).`;

export type RunCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: RuntimeConfig };

export { UsageError };

export function parseRunArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RunCommand {
  const { values, positionals } = parseFlags(argv);
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const registryPath = registryArgument(positionals);
  try {
    const config = resolveConfig(
      {
        registryPath,
        concurrency: values.concurrency,
        queues: values.queue,
        timeout: values.timeout,
        tag: values.tag,
        verbose: values.verbose,
        logLevel: values['log-level'],
        logFormat: values['log-format'],
        redis: values.redis,
        namespace: values.namespace,
        pollInterval: values['poll-interval'],
        heartbeat: values.heartbeat,
        processTtl: values['process-ttl'],
        maxBlock: values['max-block'],
        maxRescues: values['max-rescues'],
        containerGrace: values['container-grace'],
        threads: values.threads,
        processes: values.processes,
        metricsPort: values['metrics-port'],
        metricsHost: values['metrics-host'],
        executionMetrics: values['execution-metrics'],
        webPort: values.web,
        webHost: values['web-host'],
      },
      env,
    );
    return { kind: 'run', config };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function parseFlags(argv: readonly string[]) {
  return parseCommandLine(argv, {
    concurrency: { type: 'string', short: 'c' },
    queue: { type: 'string', short: 'q', multiple: true },
    timeout: { type: 'string', short: 't' },
    tag: { type: 'string', short: 'g' },
    redis: { type: 'string' },
    namespace: { type: 'string' },
    'poll-interval': { type: 'string' },
    heartbeat: { type: 'string' },
    'process-ttl': { type: 'string' },
    'max-block': { type: 'string' },
    'max-rescues': { type: 'string' },
    'container-grace': { type: 'string' },
    threads: { type: 'string' },
    processes: { type: 'string' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
    'execution-metrics': { type: 'string' },
    web: { type: 'string' },
    'web-host': { type: 'string' },
    'log-level': { type: 'string' },
    'log-format': { type: 'string' },
  });
}

export async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'check') {
    const { checkMain } = await import('./check.js');
    const code = await checkMain(argv.slice(1));
    // The registry's modules may hold the event loop open (a pool or a client opened at load, a timer): the check
    // is over once its report is out, or a deploy pipeline would wait on it for ever.
    process.stdout.write('', () => process.exit(code));
    return;
  }
  catchSignals();
  const command = parseOrExit('sidepunch-run', () => parseRunArgs(argv));
  if (command.kind === 'help') return void process.stdout.write(`${HELP}\n`);
  if (command.kind === 'version') return void process.stdout.write(versionLine('sidepunch-run'));

  const logger = runtimeLogger(command.config);
  // Load the registry here first in every mode, so a wrong file is one line and exit 1, not a crash loop.
  let registry: Registry;
  try {
    registry = await loadRegistry(command.config.registryPath);
    // Here too, before any thread or child starts: each would refuse it and be restarted, again and again.
    const cluster = parseRedisUrl(command.config.redis).mode === 'cluster';
    refusePeriodicOnCluster(registry, command.config.registryPath, cluster);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    process.stderr.write(`sidepunch-run: ${error.message}\n`);
    process.exit(1);
  }
  // Resolved here, so that --threads gives its threads the same queues.
  const config = withRegistryQueues(command.config, registry);
  // One line per process: a swarm's children say it themselves.
  if (config.processes === 1) logQueueChoice(config, registry, logger);
  stopWhenOrphaned(logger);
  // Only here, in the main process: swarm children are started without --web, threads never reach main().
  if (config.webPort !== undefined) await serveDashboard(config, registry, logger).catch(exitWith);
  if (config.processes > 1) return runSwarm(argv, config, logger);
  if (config.threads > 1) return runThreads(config, logger).catch(exitWith);
  await runLauncher(config, registry, logger);
}

/** A start-up failure the user can fix (a port is taken, configureServer threw): one line, exit 1. */
function exitWith(error: Error): never {
  const fixable = [MetricsServerError, RegistryError, WebServerError, AuthConfigError];
  if (!fixable.some((kind) => error instanceof kind)) throw error;
  process.stderr.write(`sidepunch-run: ${error.message}\n`);
  tellSupervisor({ type: 'failed-to-start' });
  process.exit(1);
}

/** One launcher on this event loop until TERM/INT (or a TERM through Redis); TSTP quiets it, TTIN logs its jobs. */
async function runLauncher(config: RuntimeConfig, registry: Registry, ownLogger: Logger): Promise<void> {
  let signalled = false;
  const stop = (signal: string) => {
    if (signalled) return logger.warn(`${signal} received again: already shutting down`);
    signalled = true;
    logger.info(`${signal} received`);
    tellSupervisor({ type: 'stopping' });
    launcher.stop().then(
      // Incomplete (Redis did not answer): the launcher logged what it left for a rescuer.
      (complete) => exitProcess(complete && !crashGuard.crashed ? 0 : 1),
      (error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        logger.flush();
        exitProcess(1);
      },
    );
  };
  const launcher = new Launcher(config, registry, {
    logger: ownLogger,
    onRemoteStop: () => stop('TERM (through Redis)'),
  });
  // Ours, or the one the registry's configureServer hands over (server.logger), once it has.
  const logger = launcher.ctx.logger;
  guardExit(logger);
  const crashGuard = installCrashGuard(logger, () => launcher.abandon(), exitProcess);
  if (config.metricsPort !== undefined) {
    const metrics = new MetricsMiddleware();
    serverMiddleware.prepend(metrics);
    await serveMetrics(config, logger, () => metrics.render()).catch(exitWith);
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const startQuiet = onTstp(() => {
    logger.info('SIGTSTP received');
    void launcher.quiet();
  });
  if (startQuiet) void launcher.quiet();
  onTtin(() => {
    logger.info('SIGTTIN received');
    launcher.logRunningJobs();
  });
  await launcher.start().catch(exitWith);
}
