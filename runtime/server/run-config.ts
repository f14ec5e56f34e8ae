/**
 * The runtime's settings: one DEFAULTS object, resolved once at start-up from flags and environment,
 * validated with one-line errors, then read-only.
 */
import { type AuthSettings, authFromEnv, DEFAULT_WEB_HOST } from '../core/dashboard-access.js';
import { type ExecutionMetricsSetting, isExecutionMetricsSetting } from '../core/execution-metrics-format.js';
import { isLogFormat, isLogLevel, type LogFormat, type LogLevel } from '../core/logger.js';
import { MAX_TIMEOUT_SECONDS } from '../core/timeout.js';
import { DEFAULT_REDIS_URL } from '../redis/redis-connection.js';
import { parseRedisUrl, RedisUrlError } from '../redis/redis-url.js';

export interface WeightedQueue {
  readonly name: string;
  readonly weight: number;
}

export interface RuntimeConfig {
  readonly registryPath: string;
  /** At most this many jobs in flight at once. */
  readonly concurrency: number;
  readonly queues: readonly WeightedQueue[];
  /**
   * `flags`: `queues` are the `-q` flags, exactly. `registry` (no `-q`): `default` plus the queues the registry's
   * workers declare, tried in a random order per fetch; `queues` holds `default` only until the registry is loaded
   * (registry-queues.ts).
   */
  readonly queuesFrom: 'flags' | 'registry';
  /**
   * A `-q` flag gave a weight (`-q a,1 -q b,1`): the order is drawn per fetch even when every weight is 1, Sidekiq's
   * random mode; without any weight the flags' order is strict. Absent when no flag gave one.
   */
  readonly queuesWeighted?: true;
  /** Seconds to wait for running jobs at shutdown before they are requeued. */
  readonly timeoutSeconds: number;
  readonly tag?: string;
  readonly logLevel: LogLevel;
  /** `text` (Sidekiq's lines) or `json` (one object per line), for every thread and child process. */
  readonly logFormat: LogFormat;
  readonly redis: string;
  readonly namespace?: string;
  /** Average seconds between polls of the schedule and retry sets, per live process. */
  readonly pollIntervalSeconds: number;
  /** Retries for a job whose `retry` is `true`. */
  readonly maxRetries: number;
  /** Seconds between heartbeats. */
  readonly heartbeatSeconds: number;
  /** Seconds a heartbeat stays valid: a process silent for longer is dead, and its jobs are rescued. */
  readonly processTtlSeconds: number;
  /**
   * Seconds the event loop may stay blocked (a job's synchronous work) while a thread keeps the heartbeat alive;
   * past that, the heartbeat expires and the jobs are rescued (heartbeat-keeper.ts).
   */
  readonly maxBlockSeconds: number;
  /** Rescues from dead processes a job may have before it counts as a poison pill and dies. */
  readonly maxRescues: number;
  /** The orchestrator's stop grace period, when known: a longer shutdown timeout gets a warning at start. */
  readonly containerGraceSeconds?: number;
  /** Worker threads in this process, each with its own fetch loop and `concurrency` jobs in flight. */
  readonly threads: number;
  /** `sidepunch-run` child processes under a supervisor (a swarm). */
  readonly processes: number;
  /** Serve Prometheus metrics on this port (0: any free port); none when undefined. */
  readonly metricsPort?: number;
  /** The address the metrics page binds to. */
  readonly metricsHost: string;
  /** Serve the web dashboard on this port (0: any free port); none when undefined. */
  readonly webPort?: number;
  /** The address the dashboard binds to. */
  readonly webHost: string;
  /** Per-class execution metrics in Sidekiq 7's format (its Metrics tab), Sidekiq 8's, or none. */
  readonly executionMetrics: ExecutionMetricsSetting;
  /** From SIDEPUNCH_WEB_AUTH and SIDEPUNCH_WEB_TOKEN only: secrets stay out of the process list. */
  readonly webAuth: AuthSettings;
}

export const DEFAULTS = {
  concurrency: 10,
  queues: [{ name: 'default', weight: 1 }],
  timeoutSeconds: 25,
  logLevel: 'info',
  logFormat: 'text',
  redis: DEFAULT_REDIS_URL,
  pollIntervalSeconds: 5,
  maxRetries: 25,
  heartbeatSeconds: 10,
  processTtlSeconds: 60,
  maxBlockSeconds: 300,
  maxRescues: 3,
  threads: 1,
  processes: 1,
  metricsHost: '127.0.0.1',
  webHost: DEFAULT_WEB_HOST,
  executionMetrics: 'sidekiq7',
} as const satisfies Partial<RuntimeConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What the command line and environment said, before defaults and validation. */
export interface RawSettings {
  registryPath?: string;
  concurrency?: string;
  queues?: readonly string[];
  timeout?: string;
  tag?: string;
  verbose?: boolean;
  logLevel?: string;
  logFormat?: string;
  redis?: string;
  namespace?: string;
  pollInterval?: string;
  heartbeat?: string;
  processTtl?: string;
  maxBlock?: string;
  maxRescues?: string;
  containerGrace?: string;
  threads?: string;
  processes?: string;
  metricsPort?: string;
  metricsHost?: string;
  webPort?: string;
  webHost?: string;
  executionMetrics?: string;
}

export function resolveConfig(raw: RawSettings, env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  if (!raw.registryPath)
    throw new ConfigError('missing the registry file, e.g. sidepunch-run dist/registry.js');
  const logLevel = raw.verbose ? 'debug' : (raw.logLevel ?? (env.SIDEPUNCH_LOG_LEVEL || DEFAULTS.logLevel));
  if (!isLogLevel(logLevel))
    throw new ConfigError(`log level must be debug, info, warn or error, not "${logLevel}"`);
  const logFormat = raw.logFormat ?? (env.SIDEPUNCH_LOG_FORMAT || DEFAULTS.logFormat);
  if (!isLogFormat(logFormat)) throw new ConfigError(`log format must be text or json, not "${logFormat}"`);
  const queueFlags = raw.queues ?? [];
  const queuesGiven = queueFlags.length > 0;
  const config: RuntimeConfig = {
    registryPath: raw.registryPath,
    concurrency:
      raw.concurrency === undefined ? DEFAULTS.concurrency : positiveInteger('concurrency', raw.concurrency),
    queues: queuesGiven ? parseQueues(queueFlags) : DEFAULTS.queues,
    queuesFrom: queuesGiven ? 'flags' : 'registry',
    ...(queueFlags.some((spec) => spec.includes(',')) && { queuesWeighted: true }),
    timeoutSeconds: raw.timeout === undefined ? DEFAULTS.timeoutSeconds : seconds('timeout', raw.timeout),
    tag: raw.tag,
    logLevel,
    logFormat,
    redis: checkedRedisUrl(raw.redis ?? (env.REDIS_URL || DEFAULTS.redis)),
    namespace: raw.namespace ?? (env.SIDEPUNCH_NAMESPACE || undefined),
    pollIntervalSeconds:
      raw.pollInterval === undefined
        ? DEFAULTS.pollIntervalSeconds
        : positiveSeconds('poll interval', raw.pollInterval),
    maxRetries: DEFAULTS.maxRetries,
    heartbeatSeconds:
      raw.heartbeat === undefined ? DEFAULTS.heartbeatSeconds : positiveSeconds('heartbeat', raw.heartbeat),
    processTtlSeconds:
      raw.processTtl === undefined ? DEFAULTS.processTtlSeconds : wholeSeconds('process TTL', raw.processTtl),
    maxBlockSeconds:
      raw.maxBlock === undefined ? DEFAULTS.maxBlockSeconds : positiveSeconds('max block', raw.maxBlock),
    maxRescues:
      raw.maxRescues === undefined ? DEFAULTS.maxRescues : positiveInteger('max rescues', raw.maxRescues),
    containerGraceSeconds: containerGrace(raw.containerGrace ?? env.SIDEPUNCH_CONTAINER_GRACE, env),
    threads: raw.threads === undefined ? DEFAULTS.threads : positiveInteger('threads', raw.threads),
    processes: raw.processes === undefined ? DEFAULTS.processes : positiveInteger('processes', raw.processes),
    metricsPort: raw.metricsPort === undefined ? undefined : portNumber('metrics port', raw.metricsPort),
    metricsHost: raw.metricsHost || DEFAULTS.metricsHost,
    webPort: raw.webPort === undefined ? undefined : portNumber('web port', raw.webPort),
    webHost: raw.webHost || DEFAULTS.webHost,
    webAuth: authFromEnv(env),
    executionMetrics: executionMetrics(
      raw.executionMetrics ?? (env.SIDEPUNCH_EXECUTION_METRICS || undefined),
    ),
  };
  // Child i of a swarm serves PORT+i (swarm.ts): past 65535 it would refuse its flags, and be restarted for ever.
  const lastPort = (config.metricsPort ?? 0) + config.processes - 1;
  if (config.metricsPort && lastPort > 65535) {
    throw new ConfigError(
      `metrics port ${config.metricsPort} with ${config.processes} processes would give child ${config.processes} port ${lastPort}: use a port of at most ${65536 - config.processes}`,
    );
  }
  if (config.processTtlSeconds < 2 * config.heartbeatSeconds) {
    throw new ConfigError(
      `process TTL (${config.processTtlSeconds} s) must be at least twice the heartbeat (${config.heartbeatSeconds} s), or live processes look dead`,
    );
  }
  return config;
}

function executionMetrics(value: string | undefined): ExecutionMetricsSetting {
  if (value === undefined) return DEFAULTS.executionMetrics;
  if (!isExecutionMetricsSetting(value))
    throw new ConfigError(`execution metrics must be sidekiq7, sidekiq8 or off, not "${value}"`);
  return value;
}

/** Checked now, so a mistyped URL is one line at start rather than a reconnect loop. */
export function checkedRedisUrl(url: string): string {
  try {
    parseRedisUrl(url);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new ConfigError(error.message);
    throw error;
  }
  return url;
}

/** Told by flag or env; else Kubernetes' default (30 s) when running in a pod. */
function containerGrace(text: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  if (text !== undefined && text !== '') return seconds('container grace', text);
  if (env.KUBERNETES_SERVICE_HOST) return 30;
  return undefined;
}

function positiveSeconds(name: string, text: string): number {
  const value = seconds(name, text);
  if (value === 0) throw new ConfigError(`${name} must be more than 0 seconds`);
  return value;
}

/** For a value sent to EXPIRE, which Redis refuses unless it is an integer. */
function wholeSeconds(name: string, text: string): number {
  const value = positiveSeconds(name, text);
  if (!Number.isInteger(value)) {
    throw new ConfigError(
      `${name} must be a whole number of seconds (Redis expires keys by the second), not "${text}"`,
    );
  }
  return value;
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a whole number of at least 1, not "${text}"`);
  }
  return value;
}

export function portNumber(name: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, not "${text}"`);
  }
  return value;
}

function seconds(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name} must be a number of seconds (0 or more), not "${text}"`);
  }
  // Node fires a longer timer after 1 ms: `-t 1e9` would requeue running jobs at once, a huge --heartbeat beat
  // every millisecond, a huge --poll-interval poll without a pause.
  if (value > MAX_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `${name} must be at most ${MAX_TIMEOUT_SECONDS} seconds (about 24.8 days, the longest a Node timer waits), not "${text}"`,
    );
  }
  return value;
}

/** `-q critical,3 -q default` → weighted entries; a repeated queue is an error rather than a silent merge. */
function parseQueues(specs: readonly string[]): WeightedQueue[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    const [untrimmed = '', weightText, ...rest] = spec.split(',');
    const name = untrimmed.trim();
    if (name === '' || rest.length > 0) {
      throw new ConfigError(`queue must be NAME or NAME,WEIGHT, not "${spec}"`);
    }
    if (seen.has(name)) throw new ConfigError(`queue "${name}" is given twice`);
    seen.add(name);
    const weight = weightText === undefined ? 1 : positiveInteger(`weight of queue "${name}"`, weightText);
    return { name, weight };
  });
}
