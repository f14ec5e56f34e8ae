/**
 * A worker thread of `sidepunch-run --threads K`: its own registry import, its own launcher (its own identity,
 * fetch loop, heartbeat and connections), driven by messages from the main thread.
 */
import { randomBytes } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { runtimeLogger } from '../../core/logger.js';
import { loadRegistry, RegistryError } from '../../core/registry.js';
import {
  emptySnapshot,
  MetricsMiddleware,
  type MetricsSnapshot,
} from '../../middleware/prometheus-metrics.js';
import { serverMiddleware } from '../../middleware/server-middleware.js';
import { AloneGate } from '../alone-gate.js';
import { installCrashGuard } from '../crash-guard.js';
import { Launcher, processIdentity } from '../launcher.js';
import type { RuntimeConfig } from '../run-config.js';

export interface ThreadData {
  readonly config: RuntimeConfig;
  readonly index: number;
  /** AloneGate.shared(threads): one for the whole process. */
  readonly aloneGate: SharedArrayBuffer;
  /** The pool was quieted (TSTP) before this thread started: it never fetches. */
  readonly quiet: boolean;
}

export type ToThread =
  | { type: 'stop' }
  | { type: 'quiet' }
  | { type: 'log-running' }
  | { type: 'metrics'; id: number };
export type FromThread =
  | { type: 'identity'; identity: string }
  | { type: 'stopping' }
  /** It cannot start (configureServer threw, …): the same would happen to a replacement; the pool stops. */
  | { type: 'failed-to-start'; message: string }
  | { type: 'metrics'; id: number; snapshot: MetricsSnapshot };

const { config, index, aloneGate, quiet } = workerData as ThreadData;
const port = parentPort!;
const logger = runtimeLogger(config);
const registry = await loadRegistry(config.registryPath);
// The main thread serves one page for all threads: each counts its own jobs and posts them when asked.
const metrics = config.metricsPort === undefined ? undefined : new MetricsMiddleware();
if (metrics) serverMiddleware.prepend(metrics);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  port.postMessage({ type: 'stopping' } satisfies FromThread);
  void launcher.stop().then((complete) => process.exit(complete && !crashGuard.crashed ? 0 : 1));
};
// Threads share the process id: each needs its own nonce, whatever the environment says.
const identity = processIdentity(process.pid, randomBytes(6).toString('hex'));
const launcher = new Launcher(config, registry, {
  logger,
  identity,
  onRemoteStop: stop,
  aloneGate: new AloneGate(aloneGate, index),
});
// An error no job can be blamed for ends this thread only (exit 1, not 'stopping'): the pool replaces it.
const crashGuard = installCrashGuard(
  launcher.ctx.logger,
  () => launcher.abandon(),
  (code) => process.exit(code),
);
port.postMessage({ type: 'identity', identity: launcher.ctx.identity } satisfies FromThread);
port.on('message', (message: ToThread) => {
  if (message.type === 'stop') stop();
  else if (message.type === 'quiet') void launcher.quiet();
  else if (message.type === 'log-running') launcher.logRunningJobs();
  else {
    const snapshot = metrics?.snapshot() ?? emptySnapshot();
    port.postMessage({ type: 'metrics', id: message.id, snapshot } satisfies FromThread);
  }
});
if (quiet) void launcher.quiet();
await launcher.start().catch((error: Error) => {
  if (!(error instanceof RegistryError)) throw error;
  port.postMessage({ type: 'failed-to-start', message: error.message } satisfies FromThread);
  process.exit(1);
});
