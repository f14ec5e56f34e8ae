/**
 * A worker thread of `sidepunch-run --threads K`: its own registry import, its own launcher (its own identity,
 * fetch loop, heartbeat and connections), driven by messages from the main thread.
 */
import { randomBytes } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { RuntimeConfig } from './config.js';
import { Launcher, processIdentity } from './launcher.js';
import { LineLogger } from './logger.js';
import { loadRegistry } from './registry.js';

export type ToThread = { type: 'stop' } | { type: 'quiet' };
export type FromThread = { type: 'identity'; identity: string } | { type: 'stopping' };

const { config } = workerData as { config: RuntimeConfig; index: number };
const port = parentPort!;
const logger = new LineLogger(config.logLevel);
const registry = await loadRegistry(config.registryPath);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  port.postMessage({ type: 'stopping' } satisfies FromThread);
  void launcher.stop().then(() => process.exit(0));
};
// Threads share the process id: each needs its own nonce, whatever the environment says.
const identity = processIdentity(process.pid, randomBytes(6).toString('hex'));
const launcher = new Launcher(config, registry, { logger, identity, onRemoteStop: stop });
port.postMessage({ type: 'identity', identity: launcher.ctx.identity } satisfies FromThread);
port.on('message', (message: ToThread) => {
  if (message.type === 'stop') stop();
  else void launcher.quiet();
});
await launcher.start();
