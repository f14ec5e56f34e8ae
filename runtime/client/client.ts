/**
 * The client saves jobs to Redis exactly as Sidekiq's client does:
 *  1. merge the worker's options with the caller's (`retry`, `queue` first, as Sidekiq orders them);
 *  2. give each job a jid and `created_at`, and `enqueued_at` when it goes to a queue;
 *  3. when client middleware is registered, run it on each job (it may change the job or stop its push);
 *  4. a job due now: `SADD queues <q>` + `LPUSH queue:<q> …` in one round trip; a job for later: `ZADD schedule`;
 *     push hooks, when registered, run around steps 3 and 4 of the whole call.
 * A bulk push is one round trip too, whatever its size. A push that Redis does not confirm within `pushTimeout`
 * (5 s) rejects with a PushError rather than waiting for as long as Redis is frozen or the network silent.
 * The connection it opens holds the process open only while a push is pending (idle-connection.ts).
 */
import { currentBatchScope } from '../core/batch-scope.js';
import { type Clock, systemClock } from '../core/clock.js';
import { Deadline } from '../core/deadline.js';
import { type DebounceRule, debounceRuleOf } from '../core/debounce.js';
import { FlowError, type FlowNode } from '../core/flow.js';
import { encodeJob, formatSeconds, type JobPayload, MILLISECONDS_THRESHOLD, newJids } from '../core/job.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { nonFiniteArgument } from '../core/non-finite.js';
import { MAX_TIMEOUT_SECONDS } from '../core/timeout.js';
import { type UniqueRule, uniqueDigest, uniqueRuleOf } from '../core/unique.js';
import type { WorkerClass, WorkerOptions } from '../core/worker.js';
import { clientMiddleware, runClientMiddleware } from '../middleware/client-middleware.js';
import { aroundPush, type PushCall, type PushedJids, pushHooks } from '../middleware/push-hooks.js';
import { Keys, namespaceOrEnv } from '../redis/keys.js';
import {
  DEFAULT_REDIS_URL,
  describeTarget,
  isCluster,
  isRedisConnection,
  type RedisConnection,
  type RedisTarget,
} from '../redis/redis-connection.js';
import { Batch, type BatchOptions, type BatchSource, type BatchStore } from './batch.js';
import { joinBatch, leaveBatch, RedisBatchStore } from './batch-store.js';
import { type DebounceResult, writeDebounced } from './debounce-push.js';
import { type FlowMiddleware, pushFlow } from './flow-push.js';
import { needsReopen, openIdleConnection, PendingPushes } from './idle-connection.js';
import { type PushOutcome, pushOutcomes, writeUnique, writeUniqueOnCluster } from './unique-push.js';

export interface ClientOptions {
  /** A URL (`redis://…`, `rediss://…`), ioredis options, or a connection you own. Default: `REDIS_URL` or local. */
  readonly redis?: RedisTarget | RedisConnection | undefined;
  /**
   * Prefix for every key, to share one Redis between apps. Default: `SIDEPUNCH_NAMESPACE`, as `sidepunch-run` reads
   * it, else none (Sidekiq's own names).
   */
  readonly namespace?: string | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /**
   * Seconds a push waits for Redis to confirm it before rejecting with a PushError. Default 5, at most 2,147,483
   * (a Node timer's limit). A push that timed out may still be saved, if Redis was only slow and answers later.
   */
  readonly pushTimeout?: number | undefined;
}

export const DEFAULT_PUSH_TIMEOUT_SECONDS = 5;

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

/** A push ready to save: payload strings by destination, and the jids in push order. */
export interface PreparedJobs {
  readonly className: string;
  /** One per job in order: its jid, or undefined when a client middleware stopped it. */
  readonly jids: (string | undefined)[];
  /** Jobs due now: payloads by queue name, in push order. */
  readonly queued: Map<string, string[]>;
  /** Jobs for later: [epoch seconds, payload]. */
  readonly scheduled: [number, string][];
  /** Debounced jobs (all scheduled): the rule, each payload's digest; `write` fills `results` (push index → what it did). */
  readonly debounce?: {
    readonly rule: DebounceRule;
    readonly digests: ReadonlyMap<string, string>;
    readonly results: Map<number, DebounceResult>;
  };
  /** Unique jobs: the rule, and each payload's lock digest; `write` fills `dropped` (push index → holder jid). */
  readonly unique?: {
    readonly rule: UniqueRule;
    readonly digests: ReadonlyMap<string, string>;
    readonly dropped: Map<number, string>;
  };
  /** The batch the jobs join (pushed inside a jobs block, docs/batches.md). */
  bid?: string;
}

export class PushError extends Error {
  override name = 'PushError';
}

/** A connection and the keys on it (a Redis Cluster's carry its hash tags). */
interface Connection {
  readonly redis: RedisConnection;
  readonly keys: Keys;
}

/** Sidekiq splits LPUSH arguments in thousands; one command that large is still one round trip. */
const LPUSH_CHUNK = 1000;

export class Client implements BatchSource {
  private readonly clock: Clock;
  private readonly ownsConnection: boolean;
  private readonly where: string;
  private readonly pushTimeoutSeconds: number;
  /** The connection, opened on first use unless one was passed in, and the keys on it. */
  private connection?: Connection;
  /** While one is under way, the process stays alive; the connection opened here does not hold it otherwise. */
  private readonly pending = new PendingPushes();
  private batches?: BatchStore;

  constructor(private readonly options: ClientOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.ownsConnection = !isRedisConnection(options.redis);
    this.where = isRedisConnection(options.redis) ? 'Redis' : describeTarget(this.target());
    this.pushTimeoutSeconds = options.pushTimeout ?? DEFAULT_PUSH_TIMEOUT_SECONDS;
    if (!(this.pushTimeoutSeconds > 0 && Number.isFinite(this.pushTimeoutSeconds))) {
      throw new Error(
        `sidepunch: pushTimeout must be a number of seconds above 0, not ${options.pushTimeout}`,
      );
    }
    // Node fires a longer timer after 1 ms: every push would reject at once, though Redis saved it.
    if (this.pushTimeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw new Error(
        `sidepunch: pushTimeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS} (about 24.8 days, the longest a Node timer waits), not ${options.pushTimeout}`,
      );
    }
    if (isRedisConnection(options.redis)) this.connection = this.withKeys(options.redis);
  }

  /**
   * Saves one job; resolves to its jid once Redis has it, or undefined when a client middleware stopped it or,
   * for a unique job, another job holds its lock (Sidekiq Enterprise's nil). `pushOutcome` tells those apart.
   */
  push(job: PushJob): Promise<string | undefined> {
    return this.pending.hold(async () => (await this.send(job, [job.args], false, job.jid))[0]);
  }

  /** Saves one job and says what became of it: pushed, a duplicate of a pending unique job, or stopped. */
  pushOutcome(job: PushJob): Promise<PushOutcome> {
    return this.pending.hold(async () => (await this.sendOutcomes(job, [job.args], false, job.jid))[0]!);
  }

  /** `pushBulk`, saying what became of each job. */
  pushBulkOutcomes(bulk: PushBulk): Promise<PushOutcome[]> {
    return this.pending.hold(async () => {
      if (!Array.isArray(bulk.args) || !bulk.args.every(Array.isArray)) {
        throw new PushError('pushBulk needs "args" as an array of argument arrays');
      }
      if (bulk.args.length === 0) return [];
      return this.sendOutcomes(bulk, bulk.args, true);
    });
  }

  /**
   * Saves many jobs of one class in one round trip; resolves to their jids in order (undefined for a job a client
   * middleware stopped, as Sidekiq's nil).
   */
  pushBulk(bulk: PushBulk): Promise<(string | undefined)[]> {
    return this.pending.hold(async () => {
      if (!Array.isArray(bulk.args) || !bulk.args.every(Array.isArray)) {
        throw new PushError('pushBulk needs "args" as an array of argument arrays');
      }
      if (bulk.args.length === 0) return [];
      return this.send(bulk, bulk.args, true);
    });
  }

  /**
   * A new batch (docs/batches.md): saved by its first `jobs(…)` block; the jobs pushed inside the block join it, and
   * its callbacks fire once each.
   */
  batch(options: BatchOptions = {}): Batch {
    return new Batch(() => this, options);
  }

  /**
   * A saved batch, by its bid, to add jobs to with `jobs(…)` from anywhere (Sidekiq Pro's `Sidekiq::Batch.new(bid)`):
   * its success waits for them. A block on a batch that succeeded already, or expired, is refused.
   */
  openBatch(bid: string): Batch {
    return new Batch(() => this, {}, bid);
  }

  /** Where this client keeps batches: its Redis. */
  batchStore(): BatchStore {
    // Held like a push: the connection does not keep the process alive by itself (idle-connection.ts).
    this.batches ??= new RedisBatchStore(
      () => this.connected(),
      this.clock,
      (work) => this.pending.hold(work),
    );
    return this.batches;
  }

  get batchClock(): Clock {
    return this.clock;
  }

  /** Saves and starts a workflow (docs/workflows.md): what a stub's `after([...], ...args)` calls. */
  pushFlow(root: FlowNode): Promise<string> {
    return this.pending.hold(() => {
      const { redis, keys } = this.connected();
      return this.aroundFlow(root, (middleware) => pushFlow(redis, keys, this.clock, root, middleware));
    });
  }

  /**
   * A workflow's push inside the push hooks (one call of all its jobs), each job through client middleware, when
   * any are registered (flow-push.ts).
   */
  protected async aroundFlow(
    root: FlowNode,
    push: (middleware?: FlowMiddleware) => Promise<string>,
  ): Promise<string> {
    if (pushHooks.size === 0 && clientMiddleware.size === 0) return push();
    const call: PushCall = {
      className: root.className,
      queue: typeof root.options.queue === 'string' ? root.options.queue : 'default',
      count: nodeCount(root),
      bulk: false,
    };
    const redis = this.middlewareRedis();
    const middleware: FlowMiddleware = (job, className, queue) =>
      runClientMiddleware(job, { className, queue, redis, origin: 'client', call });
    let id: string | undefined;
    await aroundPush(call, async () => {
      id = await push(middleware);
      return [id];
    });
    if (id === undefined) throw new FlowError(`a push hook did not push ${root.className}'s workflow`);
    return id;
  }

  /** Closes the connection this client opened (one you passed in stays open). */
  async close(): Promise<void> {
    const redis = this.connection?.redis;
    this.connection = undefined;
    // Every command this client sends is a push's (or its middleware's, in the push): once none is pending, nothing
    // is owed a reply, and the socket closes without a QUIT (one command less for Redis, as Sidekiq's client does).
    if (redis && this.ownsConnection) {
      await this.pending.settled();
      redis.disconnect();
    }
  }

  private target(): RedisTarget {
    const configured = this.options.redis;
    if (configured && !isRedisConnection(configured)) return configured;
    return process.env.REDIS_URL || DEFAULT_REDIS_URL;
  }

  private connected(): Connection {
    // Redis closed it while no push was pending, and it stayed closed (idle-connection.ts).
    if (this.ownsConnection && this.connection && needsReopen(this.connection.redis))
      this.connection = undefined;
    this.connection ??= this.withKeys(
      openIdleConnection(
        this.target(),
        { role: 'client', logger: this.options.logger ?? silentLogger, maxRetriesPerRequest: 2 },
        this.pending,
      ),
    );
    return this.connection;
  }

  private withKeys(redis: RedisConnection): Connection {
    return { redis, keys: Keys.for(redis, namespaceOrEnv(this.options.namespace)) };
  }

  /** Prepares and saves one call's jobs: inside the push hooks, and described to client middleware, when any. */
  private async send(
    job: JobOptions,
    argLists: readonly (readonly unknown[])[],
    bulk: boolean,
    jid?: string,
  ): Promise<PushedJids> {
    return (await this.sendPrepared(job, argLists, bulk, jid)).jids;
  }

  private async sendOutcomes(
    job: JobOptions,
    argLists: readonly (readonly unknown[])[],
    bulk: boolean,
    jid?: string,
  ): Promise<PushOutcome[]> {
    return pushOutcomes(await this.sendPrepared(job, argLists, bulk, jid));
  }

  /** Inside a batch's jobs block, the push is one the block waits for before it ends (core/batch-scope.ts). */
  private sendPrepared(
    job: JobOptions,
    argLists: readonly (readonly unknown[])[],
    bulk: boolean,
    jid?: string,
  ): Promise<PreparedJobs> {
    const block = currentBatchScope();
    if (!block) return this.sendJobs(undefined, job, argLists, bulk, jid);
    return block.track(() => this.sendJobs(block.bid, job, argLists, bulk, jid));
  }

  private async sendJobs(
    bid: string | undefined,
    job: JobOptions,
    argLists: readonly (readonly unknown[])[],
    bulk: boolean,
    jid?: string,
  ): Promise<PreparedJobs> {
    let prepared: PreparedJobs | undefined;
    // Inside a batch's jobs block: the jobs carry its bid, as Sidekiq Pro's do, and join it with their push.
    if (bid !== undefined) job = { ...job, bid } as JobOptions;
    const save = async (call?: PushCall) => {
      prepared = await this.prepare(job, argLists, jid, call);
      if (bid !== undefined) prepared.bid = bid;
      await this.write(prepared);
      return prepared.jids;
    };
    if (pushHooks.size === 0 && clientMiddleware.size === 0) await save();
    else {
      const { className, queue } = this.resolveOptions(job);
      const call: PushCall = { className, queue, count: argLists.length, bulk };
      await aroundPush(call, () => save(call));
    }
    return prepared!;
  }

  /** Jobs of one push, encoded, the middleware run; `write` saves them. */
  protected async prepare(
    job: JobOptions,
    argLists: readonly (readonly unknown[])[],
    jid?: string,
    call?: PushCall,
  ): Promise<PreparedJobs> {
    const { options: merged, className, queue } = this.resolveOptions(job);
    // `limit` is read by the server from the worker class; the payload does not carry it.
    const {
      unique: uniqueOption,
      debounce: debounceOption,
      limit: _limit,
      childDeath: _childDeath,
      ...options
    } = merged;
    const rule = uniqueRuleOf(className, uniqueOption);
    const debounceRule = debounceRuleOf(className, debounceOption);
    if (rule && debounceRule)
      throw new PushError(
        `job ${className}: "unique" and "debounce" do not go together; set one of them to false`,
      );
    const nowMs = this.clock.now();
    const now = nowMs / 1000;
    // A debounced job always waits: its own time when the push gives one, else `for` seconds.
    const runAt = scheduledSeconds(job, nowMs) ?? (debounceRule ? now + debounceRule.forSeconds : undefined);
    const jids = jid !== undefined ? [jid] : newJids(argLists.length);
    for (const args of argLists) {
      if (!Array.isArray(args)) throw new PushError(`job arguments must be an array, got ${typeof args}`);
    }
    if (clientMiddleware.size > 0) {
      const resolved = { options, className, queue, call, rule, debounceRule };
      return this.throughMiddleware(resolved, argLists, jids, runAt, now);
    }
    // Every job of a push shares all fields but args and jid: encode those once, in Sidekiq's order.
    const head = encodeJob(options).slice(0, -1);
    const argsKey = head === '{' ? '"args":' : ',"args":';
    const tail =
      `,"created_at":${formatSeconds(now)}` +
      (runAt === undefined ? `,"enqueued_at":${formatSeconds(now)}` : '') +
      '}';
    const classAndJid = `,"class":${JSON.stringify(className)},"jid":`;
    const digests = rule || debounceRule ? new Map<string, string>() : undefined;
    const payloads = argLists.map((args, i) => {
      const start = `${head}${argsKey}${encodeArgs(className, args)}${classAndJid}${JSON.stringify(jids[i])}`;
      if (debounceRule && digests) {
        const payload = `${start}${tail}`;
        digests.set(payload, uniqueDigest(className, queue, args, debounceRule.by));
        return payload;
      }
      if (!rule || !digests) return `${start}${tail}`;
      const digest = uniqueDigest(className, queue, args, rule.by);
      const payload = `${start}${uniqueFieldsText(rule, digest)}${tail}`;
      digests.set(payload, digest);
      return payload;
    });
    const unique = rule && digests ? { rule, digests, dropped: new Map<number, string>() } : undefined;
    const debounce =
      debounceRule && digests
        ? { rule: debounceRule, digests, results: new Map<number, DebounceResult>() }
        : undefined;
    return runAt === undefined
      ? { className, jids, queued: new Map([[queue, payloads]]), scheduled: [], unique }
      : {
          className,
          jids,
          queued: new Map(),
          scheduled: payloads.map((payload) => [runAt, payload]),
          unique,
          debounce,
        };
  }

  /**
   * The same jobs as objects through the client chain, one at a time: a middleware may change any field (the
   * queue, `at` for a scheduled job) or stop the push. `enqueued_at` is set after it, as Sidekiq's client does.
   */
  private async throughMiddleware(
    resolved: {
      options: Record<string, unknown>;
      className: string;
      queue: string;
      call?: PushCall;
      rule?: UniqueRule;
      debounceRule?: DebounceRule;
    },
    argLists: readonly (readonly unknown[])[],
    jids: readonly string[],
    runAt: number | undefined,
    now: number,
  ): Promise<PreparedJobs> {
    const { options, className, queue, call, rule, debounceRule } = resolved;
    const digests = new Map<string, string>();
    const unique = rule ? { rule, digests, dropped: new Map<number, string>() } : undefined;
    const debounce = debounceRule
      ? { rule: debounceRule, digests, results: new Map<number, DebounceResult>() }
      : undefined;
    const prepared: PreparedJobs = {
      className,
      jids: [],
      queued: new Map(),
      scheduled: [],
      unique,
      debounce,
    };
    const redis = this.middlewareRedis();
    for (let i = 0; i < argLists.length; i++) {
      const job = {
        ...options,
        args: [...argLists[i]!],
        class: className,
        jid: jids[i],
        ...(rule
          ? {
              unique_for: rule.forSeconds,
              unique_until: rule.until,
              unique_digest: uniqueDigest(className, queue, argLists[i]!, rule.by),
            }
          : {}),
        created_at: now,
        ...(runAt === undefined ? {} : { at: runAt }),
      } as JobPayload;
      const context = { className, queue, redis, origin: 'client', call } as const;
      if (!(await runClientMiddleware(job, context))) {
        prepared.jids.push(undefined);
        continue;
      }
      const { at, ...saved } = job;
      if (typeof saved.queue !== 'string' || saved.queue === '') {
        throw new PushError(`job ${className}: client middleware left "queue" empty or not a string`);
      }
      this.checkArguments(className, saved.args);
      // A debounced job waits even when a middleware took its time away: `for` seconds, as without one.
      const scheduledAt =
        typeof at === 'number' && at > now ? at : debounceRule ? now + debounceRule.forSeconds : undefined;
      if (scheduledAt === undefined) saved.enqueued_at = now;
      const payload = encodePayload(className, saved);
      if (rule && typeof saved.unique_digest === 'string') digests.set(payload, saved.unique_digest);
      // The digest of the arguments as saved: a middleware that changed them changed which job this is.
      if (debounceRule && Array.isArray(saved.args))
        digests.set(payload, uniqueDigest(className, saved.queue, saved.args, debounceRule.by));
      if (scheduledAt !== undefined) prepared.scheduled.push([scheduledAt, payload]);
      else {
        const list = prepared.queued.get(saved.queue);
        if (list) list.push(payload);
        else prepared.queued.set(saved.queue, [payload]);
      }
      prepared.jids.push(typeof saved.jid === 'string' ? saved.jid : jids[i]);
    }
    return prepared;
  }

  /** Each job's arguments as the client chain left them, before they are encoded (the testing client checks them). */
  protected checkArguments(_className: string, _args: unknown): void {}

  /** The connection client middleware is told about. */
  protected middlewareRedis(): RedisConnection | undefined {
    return this.connected().redis;
  }

  /** Saves prepared jobs in one round trip. */
  protected async write(prepared: PreparedJobs): Promise<void> {
    let count = prepared.scheduled.length;
    for (const payloads of prepared.queued.values()) count += payloads.length;
    if (count === 0) return;
    const { redis, keys } = this.connected();
    const { bid } = prepared;
    if (bid !== undefined && isCluster(redis))
      throw new PushError('batches are not supported on a Redis Cluster yet');
    const members = bid === undefined ? [] : prepared.jids.filter((jid) => jid !== undefined);
    if (prepared.debounce) {
      // A debounced push may fold into a job pushed outside the batch: which batch would it count in?
      if (bid !== undefined)
        throw new PushError(`job ${prepared.className}: a debounced job cannot join a batch`);
      const saving = writeDebounced(redis, keys, prepared, this.clock.now() / 1000);
      const saved = await new Deadline(this.pushTimeoutSeconds * 1000).race(saving);
      if (!saved.done) {
        const reason = saved.error === undefined ? 'no reply from Redis' : (saved.error as Error).message;
        throw new PushError(`could not save ${count} debounced job(s) to ${this.where}: ${reason}`);
      }
      return;
    }
    if (prepared.unique) {
      const now = this.clock.now() / 1000;
      // Counted in before the push (the open jobs block keeps the batch from finishing); duplicates counted out.
      if (bid !== undefined) {
        const multi = redis.multi();
        joinBatch(multi, keys, bid, members);
        await multi.exec();
      }
      // On a cluster the lock and the job's list live in different slots: the lock first, then the push.
      const writing = isCluster(redis)
        ? writeUniqueOnCluster(redis, keys, prepared, now, (rest) => this.writePlain(rest))
        : writeUnique(redis, keys, prepared, now);
      const saving = writing.then(async () => {
        if (bid === undefined) return;
        const pushed = new Set(prepared.jids);
        await leaveBatch(
          redis,
          keys,
          bid,
          members.filter((jid) => !pushed.has(jid)),
        );
      });
      const saved = await new Deadline(this.pushTimeoutSeconds * 1000).race(saving);
      if (!saved.done) {
        const reason = saved.error === undefined ? 'no reply from Redis' : (saved.error as Error).message;
        throw new PushError(`could not save ${count} unique job(s) to ${this.where}: ${reason}`);
      }
      return;
    }
    await this.writePlain(prepared, bid === undefined ? undefined : { bid, members });
  }

  /**
   * Saves jobs that are neither unique nor debounced: SADD queues + LPUSH, ZADD schedule, in one round trip; a
   * batch's jobs join it in the push's own MULTI, so none can finish before it is counted.
   */
  private async writePlain(
    prepared: Pick<PreparedJobs, 'queued' | 'scheduled'>,
    batch?: { readonly bid: string; readonly members: readonly string[] },
  ): Promise<void> {
    let count = prepared.scheduled.length;
    for (const payloads of prepared.queued.values()) count += payloads.length;
    if (count === 0) return;
    const { redis, keys } = this.connected();
    const saved = await new Deadline(this.pushTimeoutSeconds * 1000).race(
      batch === undefined ? sendPlain(redis, keys, prepared) : sendInBatch(redis, keys, prepared, batch),
    );
    if (!saved.done) {
      const reason =
        saved.error === undefined
          ? `no reply from Redis within ${this.pushTimeoutSeconds} s (it may still save them if it was only slow)`
          : reasonOf(saved.error as Error);
      throw new PushError(`could not save ${count} job(s) to ${this.where}: ${reason}`);
    }
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
    // Sidekiq's client refuses these too: its Web UI lists tags with `each`, and `retry_for` is a duration.
    const { tags, retry_for: retryFor } = merged;
    if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) {
      throw new PushError(
        `job ${className}: "tags" must be an array of strings, got ${JSON.stringify(tags)}`,
      );
    }
    if (retryFor !== undefined && !(typeof retryFor === 'number' && retryFor <= 1_000_000_000)) {
      throw new PushError(
        `job ${className}: "retry_for" must be a relative number of seconds (at most 1,000,000,000), got ${JSON.stringify(retryFor)}`,
      );
    }
    return { options: merged, className, queue: merged.queue };
  }
}

/**
 * The commands of a plain push, issued one by one into a corked socket: one write and one round trip, as a
 * pipeline's, without ioredis's pipeline joining every command into one string first (a third of a 1,000-job push's
 * CPU).
 * A cluster keeps `queues` in another hash slot than the queues: listed first, before the jobs are pushed.
 */
async function sendPlain(
  redis: RedisConnection,
  keys: Keys,
  prepared: Pick<PreparedJobs, 'queued' | 'scheduled'>,
): Promise<void> {
  const cluster = isCluster(redis);
  if (cluster && prepared.queued.size > 0) await redis.sadd(keys.queues, ...prepared.queued.keys());
  // Corked, the commands leave in one write, as a pipeline's did: Redis reads them at once (a single push written
  // as two cost Redis a third more CPU).
  const socket = cluster ? undefined : redis.stream;
  socket?.cork();
  let replies: Promise<unknown>[];
  try {
    replies = issuePush(redis, keys, prepared, !cluster) as Promise<unknown>[];
  } finally {
    socket?.uncork();
  }
  // Every reply is awaited, so a second failure is not left unhandled.
  const failed = (await Promise.allSettled(replies)).find((reply) => reply.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The same commands in one MULTI with the batch's count, so no job can finish before the batch counts it. */
async function sendInBatch(
  redis: RedisConnection,
  keys: Keys,
  prepared: Pick<PreparedJobs, 'queued' | 'scheduled'>,
  batch: { readonly bid: string; readonly members: readonly string[] },
): Promise<void> {
  const multi = redis.multi();
  joinBatch(multi, keys, batch.bid, batch.members);
  issuePush(multi, keys, prepared, true);
  const results = await multi.exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw failed?.[0] ?? new Error('no reply');
}

/** Where a push's commands go: the connection itself (each reply a promise) or a MULTI. */
interface PushCommands {
  sadd(key: string, ...members: string[]): unknown;
  lpush(key: string, ...elements: string[]): unknown;
  zadd(key: string, ...scoreMembers: string[]): unknown;
}

/** SADD queues (unless listed already), LPUSH in Sidekiq's chunks, ZADD schedule: what each command returned. */
function issuePush(
  target: PushCommands,
  keys: Keys,
  prepared: Pick<PreparedJobs, 'queued' | 'scheduled'>,
  listQueues: boolean,
): unknown[] {
  const issued: unknown[] = [];
  for (const [queue, payloads] of prepared.queued) {
    if (listQueues) issued.push(target.sadd(keys.queues, queue));
    const queueKey = keys.queue(queue);
    for (let i = 0; i < payloads.length; i += LPUSH_CHUNK) {
      issued.push(target.lpush(queueKey, ...payloads.slice(i, i + LPUSH_CHUNK)));
    }
  }
  if (prepared.scheduled.length > 0) {
    const members: string[] = [];
    for (const [at, payload] of prepared.scheduled) members.push(String(at), payload);
    issued.push(target.zadd(keys.schedule, ...members));
  }
  return issued;
}

/** ioredis's words for "gave up" point at its own option; say what it means for the caller. */
function reasonOf(error: Error): string {
  if (error.name === 'MaxRetriesPerRequestError')
    return 'Redis is unreachable (gave up after reconnecting twice)';
  return error.message;
}

/** Epoch seconds to run at, or undefined to enqueue now (Sidekiq only schedules times in the future). */
function scheduledSeconds(job: JobOptions, nowMs: number): number | undefined {
  let at: number | undefined;
  if (job.in !== undefined) {
    if (!Number.isFinite(job.in)) throw new PushError('"in" must be a number of seconds');
    at = nowMs / 1000 + job.in;
  } else if (job.at instanceof Date) {
    // An invalid Date is NaN, which no comparison holds for: the job would run now, unnoticed.
    if (Number.isNaN(job.at.getTime()))
      throw new PushError('"at" must be epoch seconds or a Date, got an invalid Date');
    at = job.at.getTime() / 1000;
  } else if (job.at !== undefined) {
    if (!Number.isFinite(job.at)) throw new PushError('"at" must be epoch seconds or a Date');
    // `Date.now() + 60_000` would be scored some 50,000 years ahead: the job would never run.
    if (job.at >= MILLISECONDS_THRESHOLD)
      throw new PushError(
        `"at" must be epoch seconds or a Date, got ${job.at}, which is epoch milliseconds: divide it by 1000`,
      );
    at = job.at;
  }
  return at !== undefined && at > nowMs / 1000 ? at : undefined;
}

/** The unique wire fields, placed before `created_at` as `prepare` writes them. */
function uniqueFieldsText(rule: UniqueRule, digest: string): string {
  return `,"unique_for":${rule.forSeconds},"unique_until":"${rule.until}","unique_digest":"${digest}"`;
}

function encodePayload(className: string, job: Readonly<Record<string, unknown>>): string {
  let text: string;
  try {
    text = encodeJob(job);
  } catch (error) {
    throw new PushError(`job ${className} has arguments JSON cannot carry: ${(error as Error).message}`);
  }
  refuseNonFinite(className, text, job.args);
  return text;
}

function encodeArgs(className: string, args: readonly unknown[]): string {
  let text: string;
  try {
    text = JSON.stringify(args);
  } catch (error) {
    throw new PushError(`job ${className} has arguments JSON cannot carry: ${(error as Error).message}`);
  }
  refuseNonFinite(className, text, args);
  return text;
}

/** A NaN or Infinity would arrive as null: the push fails here instead, naming where it is. */
function refuseNonFinite(className: string, text: string, args: unknown): void {
  const problem = nonFiniteArgument(text, args);
  if (problem) throw new PushError(`job ${className} has arguments JSON cannot carry: ${problem}`);
}

function nodeCount(node: FlowNode): number {
  return node.children.reduce((total, child) => total + nodeCount(child), 1);
}
