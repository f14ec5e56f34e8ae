/**
 * `sidepunch-run --threads K`: K worker threads, each a full launcher with `-c` jobs in flight, so CPU-bound jobs
 * use every core. Each thread is its own process in Sidekiq's process set (same pid, its own nonce).
 *  1. a thread that dies is replaced after a pause; its heartbeat hash is deleted at once, so the next rescue (the
 *     replacement's, at its start) gives its in-progress jobs back to their queues;
 *  2. TERM/INT stop every thread gracefully, TSTP quiets them (and the threads that replace them), TTIN has each
 *     log its running jobs; the process exits once all have stopped: 0, or 1
 *     when a thread's shutdown left jobs for a rescuer (Redis did not answer); a thread a job's synchronous work
 *     keeps from stopping is terminated after -t + 3 s and its jobs given back here (stuck-shutdown.ts);
 *  3. with --metrics-port, this thread serves one page: each scrape asks every thread for its counts and sums them
 *     (a replaced thread starts from zero, which Prometheus reads as a counter reset).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../core/logger.js';
import {
  emptySnapshot,
  type MetricsSnapshot,
  mergeSnapshots,
  renderMetrics,
} from '../../middleware/prometheus-metrics.js';
import { Keys } from '../../redis/keys.js';
import { openRedis } from '../../redis/redis-connection.js';
import { withScripts } from '../../redis/scripts.js';
import { AloneGate } from '../alone-gate.js';
import { serveMetrics } from '../metrics-server.js';
import type { RuntimeConfig } from '../run-config.js';
import { onTstp, onTtin } from './process-signals.js';
import { endStuck, stuckAfterMs } from './stuck-shutdown.js';
import type { FromThread, ThreadData, ToThread } from './thread-entry.js';

const REPLACE_PAUSE_MS = 1000;
const METRICS_WAIT_MS = 1000;

interface ThreadSlot {
  readonly worker: Worker;
  identity?: string;
  /** It is stopping on purpose (a signal, or the Web UI's Stop): not replaced. */
  stopping: boolean;
  /** It did not stop in time and is being terminated (stuck-shutdown.ts). */
  stuck: boolean;
}

export async function runThreads(config: RuntimeConfig, logger: Logger): Promise<void> {
  const threads = new Map<number, ThreadSlot>();
  if (config.metricsPort !== undefined) {
    await serveMetrics(config, logger, async () => {
      const snapshots = await Promise.all([...threads.values()].map((slot) => askMetrics(slot.worker)));
      return renderMetrics(mergeSnapshots(snapshots));
    });
  }
  return superviseThreads(config, logger, threads);
}

function superviseThreads(
  config: RuntimeConfig,
  logger: Logger,
  threads: Map<number, ThreadSlot>,
): Promise<void> {
  const redis = withScripts(
    openRedis(config.redis, { role: 'thread supervisor', logger, maxRetriesPerRequest: null }),
  );
  const keys = Keys.for(redis, config.namespace);
  let shuttingDown = false;
  const aloneGate = AloneGate.shared(config.threads);
  let incomplete = false;
  let quiet = false;
  /** Why a thread could not start (configureServer threw, …): the pool stops and says it. */
  let failedToStart: string | undefined;
  /** Threads that died, waiting for their replacement. */
  let replacing = 0;
  /** Stuck threads being stopped, their jobs given back (stuck-shutdown.ts): the pool waits for them. */
  const stoppingStuck = new Set<Promise<unknown>>();

  return new Promise<void>((resolve) => {
    // Nothing the supervisor writes must wait at exit, and Redis may not answer (QUIT would wait for ever).
    const closeAndResolve = () => {
      void Promise.all(stoppingStuck).then(() => {
        redis.disconnect();
        resolve();
      });
    };
    const start = (index: number) => {
      const worker = new Worker(new URL('./thread-entry.js', import.meta.url), {
        workerData: { config, index, aloneGate, quiet } satisfies ThreadData,
        // As bin/sidepunch-run.js's --max-semi-space-size=4: young generation = 3 semi-spaces.
        resourceLimits: { maxYoungGenerationSizeMb: 12 },
      });
      const slot: ThreadSlot = { worker, stopping: false, stuck: false };
      threads.set(index, slot);
      worker.on('message', (message: FromThread) => {
        if (message.type === 'identity') slot.identity = message.identity;
        else if (message.type === 'stopping') slot.stopping = true;
        else if (message.type === 'failed-to-start') failedToStart ??= message.message;
      });
      worker.on('error', (error) => logger.error(`thread ${index + 1}: ${error.stack ?? error.message}`));
      worker.on('exit', (code) => {
        threads.delete(index);
        AloneGate.releaseThread(aloneGate, index);
        if (failedToStart !== undefined && !shuttingDown) {
          // As one process does: one line and exit 1, not a replacement that fails the same way, again and again.
          shuttingDown = true;
          tell({ type: 'stop' });
        }
        if (shuttingDown || slot.stopping) {
          // A stuck thread's exit code is its termination's: whether its jobs went back is stopStuck's to say.
          if (code !== 0 && !slot.stuck) incomplete = true;
          if (threads.size === 0 && (shuttingDown || replacing === 0)) closeAndResolve();
          return;
        }
        logger.error(
          `thread ${index + 1} died (exit code ${code}); replacing it, its jobs go back to their queues`,
        );
        // Should Redis refuse the DEL, the heartbeat expires instead: the thread is replaced all the same.
        const forget = slot.identity
          ? redis.del(keys.process(slot.identity)).catch(() => 0)
          : Promise.resolve(0);
        replacing++;
        void forget.finally(() =>
          setTimeout(() => {
            replacing--;
            if (!shuttingDown) start(index);
          }, REPLACE_PAUSE_MS),
        );
      });
    };

    const tell = (message: ToThread) => {
      for (const { worker } of threads.values()) worker.postMessage(message);
    };
    const stopStuck = (saidStopping: boolean) => {
      for (const [index, slot] of threads) {
        if (slot.stuck || slot.stopping !== saidStopping) continue;
        slot.stuck = true;
        const label = `thread ${index + 1}`;
        const terminate = () => slot.worker.terminate();
        const stopped = endStuck(label, slot.identity, terminate, { config, redis, keys, logger }).then(
          (gaveBack) => {
            if (!gaveBack) incomplete = true;
          },
        );
        stoppingStuck.add(stopped);
      }
    };
    const stop = (signal: string) => {
      logger.info(`${signal} received: stopping ${threads.size} thread(s)`);
      const first = !shuttingDown;
      shuttingDown = true;
      tell({ type: 'stop' });
      // Every thread died and none is replaced yet: no exit is coming to end the pool.
      if (threads.size === 0) return closeAndResolve();
      if (!first) return;
      // A thread whose loop a job holds does not hear 'stop' (step 2): timers of this thread stop it instead.
      for (const saidStopping of [false, true]) {
        setTimeout(() => stopStuck(saidStopping), stuckAfterMs(config, saidStopping)).unref();
      }
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // Remembered: a thread replaced afterwards starts quiet.
    quiet = onTstp(() => {
      logger.info('SIGTSTP received: every thread goes quiet');
      quiet = true;
      tell({ type: 'quiet' });
    });
    onTtin(() => {
      logger.info(`SIGTTIN received: ${threads.size} thread(s) log their running jobs`);
      tell({ type: 'log-running' });
    });
    logger.info(`starting ${config.threads} threads, ${config.concurrency} jobs in flight each`);
    for (let index = 0; index < config.threads; index++) start(index);
  }).then(() => {
    logger.flush();
    if (failedToStart !== undefined) process.stderr.write(`sidepunch-run: ${failedToStart}\n`);
    process.exit(incomplete ? 1 : 0);
  });
}

let metricsRequests = 0;

/** A thread's metrics; an empty snapshot when it does not answer within a second (it is busy dying). */
function askMetrics(worker: Worker): Promise<MetricsSnapshot> {
  const id = ++metricsRequests;
  return new Promise((resolve) => {
    const done = (snapshot: MetricsSnapshot) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve(snapshot);
    };
    const onMessage = (message: FromThread) => {
      if (message.type === 'metrics' && message.id === id) done(message.snapshot);
    };
    const timer = setTimeout(() => done(emptySnapshot()), METRICS_WAIT_MS);
    worker.on('message', onMessage);
    worker.postMessage({ type: 'metrics', id } satisfies ToThread);
  });
}
