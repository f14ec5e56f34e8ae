/**
 * Launcher: builds the runtime from its config and runs it until stopped.
 *  1. connect (one shared connection; blocking fetch opens its own per queue);
 *  2. start(): the registry's configureServer hook (middleware, handlers), a first heartbeat (which records this
 *     process's queues for rescuers) before the first fetch, then the manager and its fetch watchdog, the
 *     scheduler, the periodic enqueuer (when the registry declares entries), the heartbeat timer and, on every beat, a rescue of dead processes' jobs and a run of the
 *     suspects they left, each alone;
 *  3. quiet() (TSTP): no new jobs, the ones taken but not started back to their queues, running ones finish, the
 *     heartbeat says quiet; logRunningJobs() (TTIN);
 *  4. stop() (TERM/INT): quiet, fire running jobs' AbortSignals, wait up to the timeout (beating all the while, as
 *     Sidekiq does), write their outcomes, give every unfinished or never-started job back to the front of its queue
 *     unchanged, deregister, close;
 *     the steps after the wait share a deadline of a few seconds, since Redis may never answer: whatever is not
 *     done by then is logged, one line each, and left in Redis for a rescuer, and stop() resolves false; then the
 *     shutdown hooks configureServer registered, for a few seconds at most.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../core/clock.js';
import { Deadline } from '../core/deadline.js';
import { asLogger } from '../core/field-logger.js';
import { guarded } from '../core/handlers.js';
import { type Logger, runtimeLogger } from '../core/logger.js';
import { periodicEntriesOf } from '../core/periodic.js';
import { type Registry, RegistryError } from '../core/registry.js';
import { describeError } from '../core/thrown-value.js';
import { type ShutdownHook, serverConfiguration } from '../middleware/configure.js';
import { Keys } from '../redis/keys.js';
import { describeTarget, openRedis, type RedisConnection } from '../redis/redis-connection.js';
import { withScripts } from '../redis/scripts.js';
import type { RuntimeContext } from './actor-context.js';
import type { AloneGate } from './alone-gate.js';
import { Completer } from './completer.js';
import { RuntimeEvents } from './events.js';
import { Executor } from './executor.js';
import { FetchWatchdog } from './fetch-watchdog.js';
import { Fetcher } from './fetcher.js';
import { Heartbeat, type RemoteSignal } from './heartbeat.js';
import { JobLimits } from './job-limits.js';
import { JobRetry } from './job-retry.js';
import { LauncherLogger } from './launcher-logger.js';
import { Manager } from './manager.js';
import { PeriodicEnqueuer } from './periodic-enqueuer.js';
import { queueOrder } from './queue-order.js';
import { Rescuer } from './rescuer.js';
import type { RuntimeConfig } from './run-config.js';
import { Scheduler } from './scheduler.js';
import { SuspectRunner } from './suspects.js';
import { HeldJobs } from './unit-of-work.js';

/** After the running jobs' -t: how long the writes that end a shutdown may wait for Redis. */
const GIVE_BACK_SECONDS = 3;
/** Then how long the shutdown hooks may take, all together. */
const SHUTDOWN_HOOKS_SECONDS = 3;
/**
 * After stop(), how long boot still waits for its first beat: one that reaches Redis registers the process, and
 * shutdown then gives its jobs back as usual; one still waiting for a Redis never reached is given up.
 */
const FIRST_BEAT_AFTER_STOP_MS = 2_000;

export interface LauncherOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly events?: RuntimeEvents;
  readonly identity?: string;
  /** Random numbers for retry jitter and poll intervals (tests pin them). */
  readonly random?: () => number;
  /** Called when a TERM arrives through Redis (the Web UI's Stop button); the CLI exits after stop(). */
  readonly onRemoteStop?: () => void;
  /** With --threads: the process-wide gate, so a suspect runs alone in the whole process (alone-gate.ts). */
  readonly aloneGate?: AloneGate;
  /** Longest a success waits to share a write (completer.ts step 6; tests lengthen it to see what ends the wait). */
  readonly lingerMs?: number;
}

/** Sidekiq's `hostname:pid:nonce`; a supervisor may choose the nonce (SIDEPUNCH_NONCE) to know its child's identity. */
export function newIdentity(nonce = process.env.SIDEPUNCH_NONCE || randomBytes(6).toString('hex')): string {
  return processIdentity(process.pid, nonce);
}

export function processIdentity(pid: number, nonce: string): string {
  return `${hostname()}:${pid}:${nonce}`;
}

/** Periodic entries claim a tick and push its job in one script, which a cluster would need in one slot. */
export function refusePeriodicOnCluster(registry: Registry, registryPath: string, cluster: boolean): void {
  if (registry.periodic && cluster) {
    throw new RegistryError(
      `${registryPath}: periodic entries need one Redis (or Sentinel): Redis Cluster is not supported yet`,
    );
  }
}

export class Launcher {
  readonly ctx: RuntimeContext;
  readonly scheduler: Scheduler;
  readonly heartbeat: Heartbeat;
  readonly rescuer: Rescuer;
  readonly suspects: SuspectRunner;
  readonly watchdog: FetchWatchdog;
  /** When the registry declares periodic entries. */
  readonly periodic?: PeriodicEnqueuer;
  private readonly connections: RedisConnection[] = [];
  private readonly fetcher: Fetcher;
  private readonly completer: Completer;
  private readonly manager: Manager;
  private readonly held = new HeldJobs();
  private readonly logger: LauncherLogger;
  private readonly shutdownHooks: ShutdownHook[] = [];
  /** Boot got as far as: the registry's configureServer hook returned, then the first heartbeat was written. */
  private booted: 'configuring' | 'registering' | 'registered' = 'configuring';
  /** From the end of boot on, every beat (even quiet()'s, during shutdown) rescues dead processes' jobs. */
  private rescuesOnBeat = false;
  private starting?: Promise<void>;
  private stopping?: Promise<boolean>;
  private requestStop: () => void = () => {};
  /** Settles FIRST_BEAT_AFTER_STOP_MS after stop() is called: a first beat still waiting then is given up. */
  private readonly stopRequested = new Promise<'stopped'>((resolve) => {
    this.requestStop = () => setTimeout(resolve, FIRST_BEAT_AFTER_STOP_MS, 'stopped').unref();
  });
  private quieting?: Promise<void>;
  /** Jobs taken but not started that shutdown's quiet gave back before the drain: counted in its requeued line. */
  private gaveBackStopping = 0;

  constructor(
    config: RuntimeConfig,
    private readonly registry: Registry,
    private readonly options: LauncherOptions = {},
  ) {
    const logger = new LauncherLogger(options.logger ?? runtimeLogger(config));
    this.logger = logger;
    const openConnection = (role: string) => {
      const connection = openRedis(config.redis, { role, logger, maxRetriesPerRequest: null });
      this.connections.push(connection);
      return connection;
    };
    const redis = withScripts(openConnection('fetch'));
    this.ctx = {
      config,
      redis,
      openConnection,
      keys: Keys.for(redis, config.namespace),
      clock: options.clock ?? systemClock,
      logger,
      events:
        options.events ??
        new RuntimeEvents((event, error) =>
          logger.error(`a ${event} listener threw: ${describeError(error)}`),
        ),
      identity: options.identity ?? newIdentity(),
    };
    const held = this.held;
    const random = options.random ?? Math.random;
    this.fetcher = new Fetcher(
      this.ctx,
      queueOrder(config.queues, Math.random, config.queuesFrom, config.queuesWeighted),
      held,
    );
    this.completer = new Completer(this.ctx, held, options.lingerMs);
    const retry = new JobRetry(this.ctx, registry, random);
    this.manager = new Manager(
      this.ctx,
      this.fetcher,
      new Executor(this.ctx, registry, undefined, new JobLimits(this.ctx, random)),
      retry,
      this.completer,
      held,
      options.aloneGate,
    );
    this.scheduler = new Scheduler(this.ctx, random);
    // On a Redis Cluster, boot() refuses the registry instead.
    const periodic = periodicEntriesOf(registry);
    if (periodic && !redis.isCluster) this.periodic = new PeriodicEnqueuer(this.ctx, periodic);
    this.rescuer = new Rescuer(this.ctx);
    this.suspects = new SuspectRunner(this.ctx, this.manager);
    this.watchdog = new FetchWatchdog(this.ctx, this.fetcher);
    this.heartbeat = new Heartbeat(this.ctx, this.manager, {
      afterBeat: () => {
        if (this.rescuesOnBeat) void this.rescueDead();
      },
      onSignal: (signal) => this.onRemoteSignal(signal),
    });
  }

  get events(): RuntimeEvents {
    return this.ctx.events;
  }

  get busy(): number {
    return this.manager.busy;
  }

  /** Starts working; resolves once the first heartbeat is written and fetching has begun. */
  start(): Promise<void> {
    this.starting ??= this.boot();
    return this.starting;
  }

  /**
   * Stops taking new jobs; running ones finish. Safe to call more than once, and before start(): the process then
   * registers quiet and never fetches.
   */
  quiet(): Promise<void> {
    this.quieting ??= (async () => {
      this.ctx.logger.info('quiet: no new jobs; running ones finish');
      this.watchdog.stop();
      await Promise.all([this.manager.stopFetching(), this.scheduler.stop(), this.periodic?.stop()]);
      await this.giveBackUnstarted();
      // Before registration, boot's first beat says quiet.
      if (this.booted === 'registered') await this.heartbeat.beat().catch(() => {});
    })();
    return this.quieting;
  }

  /** The jobs taken but not started go back to their queues, for other processes; running ones stay. */
  private async giveBackUnstarted(): Promise<void> {
    try {
      const moved = await this.manager.giveBackUnstarted();
      if (this.stopping) this.gaveBackStopping += moved;
      else if (moved > 0)
        this.ctx.logger.info(`quiet: gave ${moved} job(s) taken but not started back to their queues`);
    } catch (error) {
      this.ctx.logger.warn(
        `quiet: could not give back the jobs taken but not started (${describeError(error)}); they stay in the ` +
          'in-progress list until shutdown gives them back',
      );
    }
  }

  /**
   * Graceful shutdown; safe to call more than once. Resolves true once every outcome is written and every job
   * given back; false when Redis did not answer in time (what was left for a rescuer is logged).
   */
  stop(): Promise<boolean> {
    this.requestStop();
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** After an error no job can be blamed for: stop without waiting for the running jobs, which go back to their queues. */
  abandon(): Promise<boolean> {
    this.manager.abandonRunning();
    return this.stop();
  }

  private async boot(): Promise<void> {
    const { config, logger, identity } = this.ctx;
    const queues = config.queues.map((queue) =>
      queue.weight === 1 ? queue.name : `${queue.name},${queue.weight}`,
    );
    logger.info(
      `sidepunch-run starting: concurrency=${config.concurrency} queues=${queues.join(' ')} ` +
        `redis=${describeTarget(config.redis)}${config.namespace ? ` namespace=${config.namespace}` : ''} ` +
        `identity=${identity}`,
    );
    if (config.containerGraceSeconds !== undefined && config.timeoutSeconds >= config.containerGraceSeconds) {
      logger.warn(
        `shutdown timeout (-t ${config.timeoutSeconds}) is not shorter than the container's stop grace period ` +
          `(${config.containerGraceSeconds} s): the orchestrator will kill the process before running jobs are ` +
          `requeued (they would wait for a rescue instead); use -t ${Math.max(1, config.containerGraceSeconds - 5)} or less`,
      );
    }
    refusePeriodicOnCluster(this.registry, config.registryPath, this.ctx.redis.isCluster);
    try {
      const server = serverConfiguration(config, this.shutdownHooks);
      await this.registry.configureServer?.(server);
      if (server.logger) this.logger.use(asLogger(server.logger));
    } catch (error) {
      throw new RegistryError(`${config.registryPath}: configureServer threw ${describeError(error)}`);
    }
    this.booted = 'registering';
    // Before the first fetch: rescuers must know this process's queues before its in-progress lists fill.
    try {
      // ioredis may keep the beat queued on a connection that never connected, even once shutdown closed it.
      const beat = await Promise.race([this.heartbeat.beat(), this.stopRequested]);
      if (beat === 'stopped') return;
    } catch (error) {
      // Shutdown closed the connection the beat waited on; it reports that the process never registered.
      if (this.stopping) return;
      throw error;
    }
    this.booted = 'registered';
    if (this.stopping) return;
    if (!this.quieting) {
      this.manager.start();
      this.watchdog.start();
      this.scheduler.start();
      this.periodic?.start();
    }
    this.heartbeat.start();
    this.rescuesOnBeat = true;
    void this.rescueDead();
  }

  /** On every beat: rescue the jobs of dead processes, then run alone any suspects they left. */
  private async rescueDead(): Promise<void> {
    try {
      await this.rescuer.tick();
    } catch (error) {
      this.ctx.logger.warn(`rescuer: ${describeError(error)}`);
    }
    void this.suspects.tick();
  }

  private onRemoteSignal(signal: RemoteSignal): void {
    const { logger } = this.ctx;
    logger.info(`${signal} received through Redis`);
    if (signal === 'TSTP') void this.quiet();
    else if (signal === 'TERM') {
      if (this.options.onRemoteStop) this.options.onRemoteStop();
      else void this.stop();
    } else this.logRunningJobs();
  }

  /** TTIN (Sidekiq logs every thread's backtrace): each running job, since when, and its payload's start. */
  logRunningJobs(): void {
    const { logger } = this.ctx;
    let running = 0;
    for (const job of this.manager.work.jobs()) {
      running++;
      logger.info(`running since ${new Date(job.runAt * 1000).toISOString()}: ${job.unit.raw.slice(0, 300)}`);
    }
    if (running === 0) logger.info('no job running');
  }

  private async shutdown(): Promise<boolean> {
    const { logger, config } = this.ctx;
    logger.info(
      `shutting down: waiting up to ${config.timeoutSeconds} s for ${this.manager.busy} running job(s)`,
    );
    // quiet() stops taking jobs at once; its Redis writes finish while the running jobs do, if Redis answers.
    const quieting = this.quiet();
    this.manager.interruptRunning();
    const finished = await this.manager.drain(config.timeoutSeconds * 1000);
    // Beating until now, as Sidekiq does: a drain longer than the process TTL must not look like a death, or
    // another process would rescue the running jobs and run them a second time.
    const lastBeat = this.heartbeat.stop();
    const deadline = new Deadline(GIVE_BACK_SECONDS * 1000);
    await deadline.race(Promise.all([this.starting?.catch(() => {}), quieting, lastBeat]));
    let left: string[] = [];
    if (this.booted === 'registered') left = await this.giveBack(deadline, finished);
    else if (this.starting) left = [this.neverStarted()];
    if (left.length === 0) {
      await deadline.race(Promise.all(this.connections.map((connection) => connection.quit())));
    }
    for (const connection of this.connections) connection.disconnect();
    for (const line of left) logger.error(line);
    await this.runShutdownHooks();
    if (left.length === 0) logger.info('bye');
    logger.flush();
    return left.length === 0;
  }

  /** The hooks configureServer registered, in order; what is still running after a few seconds is left. */
  private async runShutdownHooks(): Promise<void> {
    if (this.shutdownHooks.length === 0) return;
    const { logger } = this.ctx;
    const run = async () => {
      for (const hook of this.shutdownHooks) await guarded(hook, 'shutdown hook', logger);
    };
    const settled = await new Deadline(SHUTDOWN_HOOKS_SECONDS * 1000).race(run());
    if (!settled.done)
      logger.warn(`shutdown hooks still running after ${SHUTDOWN_HOOKS_SECONDS} s: not waiting`);
  }

  /** Outcomes, then the unfinished jobs back to their queues, then out of the process set: what was not done. */
  private async giveBack(deadline: Deadline, finished: boolean): Promise<string[]> {
    const { logger, identity } = this.ctx;
    const left: string[] = [];
    const forRescue = `the in-progress list of ${identity}`;
    await deadline.race(this.completer.flush());
    this.completer.close();
    this.manager.work.giveBackAll();
    const unwritten = this.completer.unwritten;
    if (unwritten > 0) {
      left.push(
        `could not write ${unwritten} job outcome(s): the jobs stay in ${forRescue} and run again once a rescuer returns them`,
      );
    }
    const held = this.held.count() - unwritten;
    const requeued = await deadline.race(
      (async () => (await this.fetcher.requeueAll()) + (await this.suspects.requeueAll()))(),
    );
    if (requeued.done) {
      const total = requeued.value + this.gaveBackStopping;
      if (!finished || total > 0) {
        logger.warn(`requeued ${total} unfinished job(s) to the front of their queues`);
      }
    } else if (held > 0) {
      left.push(
        `could not give back ${held} job(s): they stay in ${forRescue} and a rescuer will return them after its ` +
          `heartbeat expires${reason(requeued.error)}`,
      );
    }
    const deregistered = await deadline.race(this.heartbeat.deregister());
    if (!deregistered.done) {
      left.push(
        `could not deregister ${identity}: it stays in the process set until its heartbeat expires ` +
          `(${this.ctx.config.processTtlSeconds} s)${reason(deregistered.error)}`,
      );
    }
    return left;
  }

  private neverStarted(): string {
    const { config } = this.ctx;
    if (this.booted === 'configuring') {
      return `${config.registryPath}: configureServer never finished: no job was taken`;
    }
    return `never reached Redis at ${describeTarget(config.redis)}: no job was taken`;
  }
}

/** Why a step failed, when Redis said so rather than staying silent until the deadline. */
function reason(error: unknown): string {
  return error === undefined ? '' : ` (${describeError(error)})`;
}
