/**
 * Launcher: builds the runtime from its config and runs it until stopped.
 *  1. connect (one shared connection; blocking fetch opens its own per queue), load the registry;
 *  2. start the manager and the scheduler;
 *  3. stop(): quiet, wait up to the timeout for running jobs, write their outcomes, give every unfinished
 *     or never-started job back to the front of its queue, unchanged, then close the connections.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from './clock.js';
import { Completer } from './completer.js';
import type { RuntimeConfig } from './config.js';
import type { RuntimeContext } from './context.js';
import { RuntimeEvents } from './events.js';
import { Executor } from './executor.js';
import { Fetcher } from './fetcher.js';
import { JobRetry } from './job-retry.js';
import { LineLogger, type Logger } from './logger.js';
import { Manager } from './manager.js';
import { queueOrder } from './queue-order.js';
import { describeTarget, openRedis } from './redis/connection.js';
import { Keys } from './redis/keys.js';
import { withScripts } from './redis/scripts.js';
import type { Registry } from './registry.js';
import { Scheduler } from './scheduler.js';
import { HeldJobs } from './unit-of-work.js';

export interface LauncherOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly events?: RuntimeEvents;
  readonly identity?: string;
  /** Random numbers for retry jitter and poll intervals (tests pin them). */
  readonly random?: () => number;
}

export function newIdentity(): string {
  return `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

export class Launcher {
  readonly ctx: RuntimeContext;
  private readonly connections: Redis[] = [];
  private readonly fetcher: Fetcher;
  private readonly completer: Completer;
  private readonly manager: Manager;
  readonly scheduler: Scheduler;
  private stopping?: Promise<void>;

  constructor(config: RuntimeConfig, registry: Registry, options: LauncherOptions = {}) {
    const logger = options.logger ?? new LineLogger(config.logLevel);
    const openConnection = (role: string) => {
      const connection = openRedis(config.redis, { role, logger, maxRetriesPerRequest: null });
      this.connections.push(connection);
      return connection;
    };
    this.ctx = {
      config,
      redis: withScripts(openConnection('fetch')),
      openConnection,
      keys: new Keys(config.namespace),
      clock: options.clock ?? systemClock,
      logger,
      events: options.events ?? new RuntimeEvents(),
      identity: options.identity ?? newIdentity(),
    };
    const held = new HeldJobs();
    this.fetcher = new Fetcher(this.ctx, queueOrder(config.queues), held);
    this.completer = new Completer(this.ctx, held);
    const random = options.random ?? Math.random;
    const retry = new JobRetry(this.ctx, registry, random);
    this.manager = new Manager(
      this.ctx,
      this.fetcher,
      new Executor(this.ctx, registry),
      retry,
      this.completer,
    );
    this.scheduler = new Scheduler(this.ctx, random);
  }

  get events(): RuntimeEvents {
    return this.ctx.events;
  }

  get busy(): number {
    return this.manager.busy;
  }

  start(): void {
    const { config, logger } = this.ctx;
    const queues = config.queues.map((queue) =>
      queue.weight === 1 ? queue.name : `${queue.name},${queue.weight}`,
    );
    logger.info(
      `sidepunch-run starting: concurrency=${config.concurrency} queues=${queues.join(' ')} ` +
        `redis=${describeTarget(config.redis)}${config.namespace ? ` namespace=${config.namespace}` : ''} ` +
        `identity=${this.ctx.identity}`,
    );
    this.manager.start();
    this.scheduler.start();
  }

  /** Graceful shutdown; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const { logger, config, events } = this.ctx;
    logger.info(
      `shutting down: waiting up to ${config.timeoutSeconds} s for ${this.manager.busy} running job(s)`,
    );
    await Promise.all([this.manager.quiet(), this.scheduler.stop()]);
    const finished = await this.manager.drain(config.timeoutSeconds * 1000);
    await this.completer.flush();
    this.completer.close();
    const requeued = await this.fetcher.requeueAll();
    if (!finished || requeued > 0) {
      logger.warn(`requeued ${requeued} unfinished job(s) to the front of their queues`);
    }
    events.emit('shutdown:requeued', { count: requeued });
    await Promise.all(
      this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())),
    );
    logger.info('bye');
    logger.flush();
  }
}
