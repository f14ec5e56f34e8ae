/**
 * The client saves jobs to Redis exactly as Sidekiq's client does:
 *  1. merge the worker's options with the caller's (`retry`, `queue` first, as Sidekiq orders them);
 *  2. give each job a jid and `created_at`, and `enqueued_at` when it goes to a queue;
 *  3. a job due now: `SADD queues <q>` + `LPUSH queue:<q> …` in one round trip; a job for later: `ZADD schedule`.
 * A bulk push is one round trip too, whatever its size.
 */
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from './clock.js';
import { encodeJob, formatSeconds, newJids } from './job.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import {
  DEFAULT_REDIS_URL,
  describeTarget,
  isCluster,
  openRedis,
  type RedisTarget,
} from './redis/connection.js';
import { Keys } from './redis/keys.js';
import type { WorkerClass, WorkerOptions } from './worker.js';

export interface ClientOptions {
  /** A URL (`redis://…`, `rediss://…`), ioredis options, or a connection you own. Default: `REDIS_URL` or local. */
  readonly redis?: RedisTarget | Redis;
  /** Prefix for every key, to share one Redis between apps. Default: none (Sidekiq's own names). */
  readonly namespace?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

interface JobOptions extends WorkerOptions {
  /** The worker: its class name on the wire, or the class itself (its `sidepunchOptions` become defaults). */
  readonly class: string | WorkerClass;
  /** When to run: epoch seconds or a Date. Past or present times enqueue at once. */
  readonly at?: number | Date;
  /** When to run, in seconds from now. */
  readonly in?: number;
}

export interface PushJob extends JobOptions {
  readonly args: readonly unknown[];
  /** Use this jid instead of a new one. */
  readonly jid?: string;
}

export interface PushBulk extends JobOptions {
  /** One argument list per job. */
  readonly args: readonly (readonly unknown[])[];
}

export class PushError extends Error {
  override name = 'PushError';
}

/** Sidekiq splits LPUSH arguments in thousands; one command that large is still one round trip. */
const LPUSH_CHUNK = 1000;

export class Client {
  readonly keys: Keys;
  private readonly clock: Clock;
  private readonly ownsConnection: boolean;
  private readonly where: string;
  private connection?: Redis;

  constructor(private readonly options: ClientOptions = {}) {
    this.keys = new Keys(options.namespace);
    this.clock = options.clock ?? systemClock;
    this.ownsConnection = !isConnection(options.redis);
    this.where = isConnection(options.redis) ? 'Redis' : describeTarget(this.target());
    if (isConnection(options.redis)) this.connection = options.redis;
  }

  /** Saves one job; resolves to its jid once Redis has it. */
  async push(job: PushJob): Promise<string> {
    const [jid] = await this.save(job, [job.args], job.jid);
    return jid!;
  }

  /** Saves many jobs of one class in one round trip; resolves to their jids in order. */
  async pushBulk(bulk: PushBulk): Promise<string[]> {
    if (!Array.isArray(bulk.args) || !bulk.args.every(Array.isArray)) {
      throw new PushError('pushBulk needs "args" as an array of argument arrays');
    }
    if (bulk.args.length === 0) return [];
    return this.save(bulk, bulk.args);
  }

  /** Closes the connection this client opened (one you passed in stays open). */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection && this.ownsConnection) await connection.quit().catch(() => connection.disconnect());
  }

  private target(): RedisTarget {
    const configured = this.options.redis;
    if (configured && !isConnection(configured)) return configured;
    return process.env.REDIS_URL || DEFAULT_REDIS_URL;
  }

  private redis(): Redis {
    this.connection ??= openRedis(this.target(), {
      role: 'client',
      logger: this.options.logger ?? silentLogger,
      maxRetriesPerRequest: 2,
    });
    return this.connection;
  }

  private async save(
    job: JobOptions,
    argLists: readonly (readonly unknown[])[],
    jid?: string,
  ): Promise<string[]> {
    const { options, className, queue } = this.resolveOptions(job);
    const nowMs = this.clock.now();
    const runAt = scheduledSeconds(job, nowMs);
    const now = nowMs / 1000;
    const jids = jid !== undefined ? [jid] : newJids(argLists.length);
    // Every job of a push shares all fields but args and jid: encode those once, in Sidekiq's order.
    const head = encodeJob(options).slice(0, -1);
    const argsKey = head === '{' ? '"args":' : ',"args":';
    const tail =
      `,"created_at":${formatSeconds(now)}` +
      (runAt === undefined ? `,"enqueued_at":${formatSeconds(now)}` : '') +
      '}';
    const classAndJid = `,"class":${JSON.stringify(className)},"jid":`;
    const payloads = argLists.map((args, i) => {
      if (!Array.isArray(args)) throw new PushError(`job arguments must be an array, got ${typeof args}`);
      return `${head}${argsKey}${encodeArgs(className, args)}${classAndJid}${JSON.stringify(jids[i])}${tail}`;
    });
    const redis = this.redis();
    const pipeline = redis.pipeline();
    // A cluster keeps `queues` in another hash slot than the queue: listed first, on its own.
    const listFirst = runAt === undefined && isCluster(redis);
    if (runAt === undefined) {
      if (!listFirst) pipeline.sadd(this.keys.queues, queue);
      const queueKey = this.keys.queue(queue);
      for (let i = 0; i < payloads.length; i += LPUSH_CHUNK) {
        pipeline.lpush(queueKey, ...payloads.slice(i, i + LPUSH_CHUNK));
      }
    } else {
      const members: (string | number)[] = [];
      for (const payload of payloads) members.push(String(runAt), payload);
      pipeline.zadd(this.keys.schedule, ...members);
    }
    let results: [Error | null, unknown][] | null;
    try {
      if (listFirst) await redis.sadd(this.keys.queues, queue);
      results = await pipeline.exec();
    } catch (error) {
      throw new PushError(
        `could not save ${payloads.length} job(s) to ${this.where}: ${(error as Error).message}`,
      );
    }
    const failed = results?.find(([error]) => error);
    if (!results || failed) {
      const reason = failed?.[0] ? reasonOf(failed[0]) : 'no reply';
      throw new PushError(`could not save ${payloads.length} job(s) to ${this.where}: ${reason}`);
    }
    return jids;
  }

  /** Worker defaults, then the caller's options, in Sidekiq's key order: retry, queue, other options. */
  private resolveOptions(job: JobOptions): {
    options: Record<string, unknown>;
    className: string;
    queue: string;
  } {
    const workerClass = typeof job.class === 'function' ? job.class : undefined;
    const className = workerClass ? workerClass.name : job.class;
    if (typeof className !== 'string' || className === '') {
      throw new PushError('a job needs "class": a worker class or its name');
    }
    const { class: _class, args: _args, at: _at, in: _in, jid: _jid, ...callerOptions } = job as PushJob;
    const merged: Record<string, unknown> = {
      retry: true,
      queue: 'default',
      ...workerClass?.sidepunchOptions,
    };
    for (const [field, value] of Object.entries(callerOptions)) {
      if (value !== undefined) merged[field] = value;
    }
    if (typeof merged.queue !== 'string' || merged.queue === '') {
      throw new PushError(`job ${className}: "queue" must be a non-empty string`);
    }
    return { options: merged, className, queue: merged.queue };
  }
}

/** ioredis's words for "gave up" point at its own option; say what it means for the caller. */
function reasonOf(error: Error): string {
  if (error.name === 'MaxRetriesPerRequestError')
    return 'Redis is unreachable (gave up after reconnecting twice)';
  return error.message;
}

function isConnection(value: unknown): value is Redis {
  return typeof value === 'object' && value !== null && typeof (value as Redis).pipeline === 'function';
}

/** Epoch seconds to run at, or undefined to enqueue now (Sidekiq only schedules times in the future). */
function scheduledSeconds(job: JobOptions, nowMs: number): number | undefined {
  let at: number | undefined;
  if (job.in !== undefined) {
    if (!Number.isFinite(job.in)) throw new PushError('"in" must be a number of seconds');
    at = nowMs / 1000 + job.in;
  } else if (job.at instanceof Date) {
    at = job.at.getTime() / 1000;
  } else if (job.at !== undefined) {
    if (!Number.isFinite(job.at)) throw new PushError('"at" must be epoch seconds or a Date');
    at = job.at;
  }
  return at !== undefined && at > nowMs / 1000 ? at : undefined;
}

function encodeArgs(className: string, args: readonly unknown[]): string {
  try {
    return JSON.stringify(args);
  } catch (error) {
    throw new PushError(`job ${className} has arguments JSON cannot carry: ${(error as Error).message}`);
  }
}
