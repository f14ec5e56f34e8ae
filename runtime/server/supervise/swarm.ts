/**
 * `sidepunch-run --processes P`: a supervisor, like Sidekiq Enterprise's swarm, forking P `sidepunch-run` children
 * with the same flags.
 *  1. a child that crashes is restarted with backoff (1 s doubling to 30 s; reset once a child has run a minute);
 *     its heartbeat hash is deleted at once, so its in-progress jobs are rescued by the next rescue. A child that
 *     stops on purpose (the Web UI's Stop, a TERM sent to it) says so first and is not restarted; once no child is
 *     left nor waiting for a restart, the supervisor exits;
 *  2. TERM/INT, TSTP and TTIN are forwarded, TSTP and TTIN once the child has caught them; TSTP is remembered, and a
 *     child started afterwards starts quiet (a supervisor killed outright closes its children's IPC channel, and
 *     they stop as on TERM); on shutdown it waits for every child, then exits 0 (1 when a child's shutdown left
 *     jobs for a rescuer); a child a job's synchronous work keeps from hearing TERM is SIGKILLed after -t + 3 s and
 *     its jobs given back here (stuck-shutdown.ts);
 *  3. with --metrics-port PORT, child i serves its own page on PORT+i (Prometheus scrapes each);
 *  4. with --web PORT, the supervisor serves the dashboard (run.ts starts it) and no child does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import { Keys } from '../../redis/keys.js';
import { openRedis } from '../../redis/redis-connection.js';
import { withScripts } from '../../redis/scripts.js';
import { processIdentity } from '../launcher.js';
import type { RuntimeConfig } from '../run-config.js';
import { onTstp, onTtin, START_QUIET_ENV } from './process-signals.js';
import { endStuck, stuckAfterMs } from './stuck-shutdown.js';
import type { FromChild } from './swarm-messages.js';

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

interface ChildSlot {
  child: ChildProcess;
  identity: string;
  startedAt: number;
  crashes: number;
  /** It has caught TSTP and TTIN, whose default action would freeze it: they may be forwarded. */
  signalsCaught: boolean;
  /** It is stopping on purpose (the Web UI's Stop, or a signal sent to it): not restarted. */
  stopping: boolean;
  /** It did not stop in time and was SIGKILLed (stuck-shutdown.ts). */
  stuck: boolean;
}

/** Flags a child does not get: the supervisor's own, and --web (the supervisor serves the one dashboard). */
const SUPERVISOR_FLAGS = ['--processes', '--metrics-port', '--web', '--web-host'];

/**
 * The flags for a child: the same, without --processes and --web; with --metrics-port PORT, child `index` serves
 * PORT+index.
 */
export function childArgs(argv: readonly string[], config?: RuntimeConfig, index = 0): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (SUPERVISOR_FLAGS.includes(arg)) i++;
    else if (!SUPERVISOR_FLAGS.some((flag) => arg.startsWith(`${flag}=`))) args.push(arg);
  }
  const port = config?.metricsPort;
  if (port !== undefined) args.unshift('--metrics-port', String(port === 0 ? 0 : port + index));
  return args;
}

export function runSwarm(argv: readonly string[], config: RuntimeConfig, logger: Logger): Promise<void> {
  const redis = withScripts(
    openRedis(config.redis, { role: 'swarm supervisor', logger, maxRetriesPerRequest: null }),
  );
  const keys = Keys.for(redis, config.namespace);
  const slots = new Map<number, ChildSlot>();
  let stopSignal: NodeJS.Signals | undefined;
  let incomplete = false;
  let quiet = false;
  /** A child could not start (configureServer threw, …): every child stops, the supervisor exits 1. */
  let failedToStart = false;
  /** Children that crashed, waiting for their restart. */
  let restarting = 0;
  /** Stuck children being stopped, their jobs given back: the supervisor waits for them. */
  const stoppingStuck = new Set<Promise<unknown>>();

  return new Promise<void>((resolve) => {
    // Nothing the supervisor writes must wait at exit, and Redis may not answer (QUIT would wait for ever).
    const closeAndResolve = () => {
      void Promise.all(stoppingStuck).then(() => {
        redis.disconnect();
        resolve();
      });
    };
    const start = (index: number, crashes: number) => {
      const nonce = randomBytes(6).toString('hex');
      // Node's own flags too (bin/sidepunch-run.js sets V8's young generation size).
      const child = spawn(
        process.execPath,
        [...process.execArgv, process.argv[1]!, ...childArgs(argv, config, index)],
        {
          // Undefined leaves the variable out: a child started before TSTP is quieted once it has caught it.
          env: { ...process.env, SIDEPUNCH_NONCE: nonce, [START_QUIET_ENV]: quiet ? '1' : undefined },
          // The IPC channel closes when the supervisor dies, even by SIGKILL: the child then stops gracefully.
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          // Its own process group: a Ctrl-C reaches the supervisor only, which forwards it once.
          detached: true,
        },
      );
      // The child builds its identity from its pid and this nonce: the supervisor knows it without asking.
      const identity = processIdentity(child.pid ?? 0, nonce);
      const slot: ChildSlot = {
        child,
        identity,
        startedAt: Date.now(),
        crashes,
        signalsCaught: false,
        stopping: false,
        stuck: false,
      };
      const startedQuiet = quiet;
      slots.set(index, slot);
      child.on('message', (message: FromChild) => {
        if (message.type === 'stopping') slot.stopping = true;
        else if (message.type === 'failed-to-start') failedToStart = true;
        else {
          slot.signalsCaught = true;
          if (quiet && !startedQuiet) child.kill('SIGTSTP');
        }
      });
      child.on('exit', (code, signal) => {
        slots.delete(index);
        if (failedToStart && !stopSignal) {
          // It said why on stderr; as one process does, exit 1 rather than restart it into the same failure.
          logger.error(`child ${index + 1} (pid ${child.pid}) could not start: stopping every child`);
          incomplete = true;
          stopSignal = 'SIGTERM';
          forward('SIGTERM');
        }
        if (stopSignal || slot.stopping) {
          // Killed by the very signal forwarded: it had not yet installed its handlers, which it does before it
          // fetches a job, so it held none. Any other way out but 0 may have left jobs for a rescuer.
          // A stuck child's SIGKILL is the supervisor's: whether its jobs went back is stopStuck's to say.
          if (code !== 0 && signal !== stopSignal && !slot.stuck) incomplete = true;
          if (!stopSignal) {
            logger.info(
              `child ${index + 1} (pid ${child.pid}) stopped on purpose (${signal ?? `exit code ${code}`}): not restarted`,
            );
          }
          // A child waiting for its restart is not restarted once a signal stops the swarm: do not wait for it.
          if (slots.size > 0 || (restarting > 0 && !stopSignal)) return;
          // As Sidekiq Enterprise's swarm: with no child left, the supervisor has nothing to do.
          if (!stopSignal) logger.info('every child stopped on purpose: exiting');
          return closeAndResolve();
        }
        const stable = Date.now() - slot.startedAt > STABLE_AFTER_MS;
        const crashesSoFar = stable ? 0 : slot.crashes + 1;
        const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, crashesSoFar - 1));
        logger.error(
          `child ${index + 1} (pid ${child.pid}) exited with ${signal ?? `code ${code}`}; restarting in ${backoff / 1000} s`,
        );
        restarting++;
        void redis
          .del(keys.process(slot.identity))
          .catch(() => 0)
          .finally(() =>
            setTimeout(() => {
              restarting--;
              if (!stopSignal) start(index, crashesSoFar);
              // Stopped meanwhile: this restart was the last thing the supervisor waited for.
              else if (slots.size === 0 && restarting === 0) closeAndResolve();
            }, backoff),
          );
      });
    };

    const forward = (signal: NodeJS.Signals) => {
      for (const { child, signalsCaught } of slots.values()) {
        // TSTP or TTIN would freeze a child still starting: it gets TSTP once it has caught it, and holds no job yet.
        if (signalsCaught || signal === 'SIGTERM' || signal === 'SIGINT') child.kill(signal);
      }
    };
    const stopStuck = (saidStopping: boolean) => {
      for (const [index, slot] of slots) {
        if (slot.stuck || slot.stopping !== saidStopping) continue;
        slot.stuck = true;
        const sigkill = () => {
          const exited = new Promise((resolve) => slot.child.once('exit', resolve));
          slot.child.kill('SIGKILL');
          return exited;
        };
        const label = `child ${index + 1} (pid ${slot.child.pid})`;
        const stopped = endStuck(label, slot.identity, sigkill, { config, redis, keys, logger }).then(
          (gaveBack) => {
            if (!gaveBack) incomplete = true;
          },
        );
        stoppingStuck.add(stopped);
      }
    };
    const stop = (signal: NodeJS.Signals) => {
      logger.info(`${signal} received: stopping ${slots.size} child process(es)`);
      const first = stopSignal === undefined;
      stopSignal ??= signal;
      forward(signal);
      if (slots.size === 0) return closeAndResolve();
      if (!first) return;
      // A child whose loop a job holds does not hear the signal: the supervisor stops it instead.
      for (const saidStopping of [false, true]) {
        setTimeout(() => stopStuck(saidStopping), stuckAfterMs(config, saidStopping)).unref();
      }
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // Remembered: a child restarted afterwards starts quiet.
    quiet = onTstp(() => {
      logger.info('SIGTSTP received: every child goes quiet');
      quiet = true;
      forward('SIGTSTP');
    });
    onTtin(() => forward('SIGTTIN'));
    logger.info(`swarm: starting ${config.processes} sidepunch-run processes`);
    for (let index = 0; index < config.processes; index++) start(index, 0);
  }).then(() => {
    logger.flush();
    process.exit(incomplete ? 1 : 0);
  });
}
