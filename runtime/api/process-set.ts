/**
 * The live processes (Sidekiq's `ProcessSet`): the `processes` set and each member's heartbeat hash. A member whose
 * hash has expired is dead: it is skipped, and `cleanup` removes such members from the set (at most once a minute
 * across all readers, as Sidekiq throttles it). `quiet()` and `stop()` push TSTP / TERM onto the process's signal
 * list, which its next heartbeat pops — Sidepunch and Ruby Sidekiq processes alike.
 */
import { toEpochSeconds } from '../core/job.js';
import { readBatch } from '../redis/read-batch.js';
import type { ApiConnection } from './api-connection.js';
import { scanSetMembers } from './paging.js';

/** Signals a process takes through Redis: quiet, stop, log what every job is doing. */
export type ProcessSignal = 'TSTP' | 'TERM' | 'TTIN';

const HASH_FIELDS = ['info', 'busy', 'beat', 'quiet', 'rss', 'rtt_us', 'concurrency'] as const;
/** Sidekiq expires the signal list with the heartbeat: a signal for a process that never beats again goes too. */
const SIGNAL_TTL_SECONDS = 60;
const CLEANUP_THROTTLE_SECONDS = 60;
/** Identities per pipelined HMGET round trip. */
const PIPELINE_CHUNK = 100;

export class ProcessRecord {
  /** `hostname:pid:nonce`. */
  readonly identity: string;
  readonly hostname: string;
  readonly pid: number;
  readonly tag: string;
  readonly labels: readonly string[];
  /** Queue names, in the order the process lists them. */
  readonly queues: readonly string[];
  /** Queue weights per capsule (Sidekiq 7+, Sidepunch), if the process reports them. */
  readonly weights?: readonly Readonly<Record<string, number>>[];
  /** Jobs it may run at once. */
  readonly concurrency: number;
  readonly startedAt: Date;
  readonly version?: string;
  /** An embedded Sidekiq process cannot be quieted or stopped through Redis. */
  readonly embedded: boolean;
  /** Jobs running at its last heartbeat. */
  readonly busy: number;
  /** Its last heartbeat. */
  readonly beat: Date;
  /** The quiet flag: quiet or shutting down, it takes no new jobs (Sidekiq's `stopping?`). */
  readonly stopping: boolean;
  /** Resident memory, KB. */
  readonly rss: number;
  /** Round trip of its last PING, µs. */
  readonly rttUs: number;
  /** The `info` JSON as written, for fields not listed here. */
  readonly info: Readonly<Record<string, unknown>>;

  constructor(
    private readonly connection: ApiConnection,
    /** The member of `processes` (the name of its hash and signal list). */
    identity: string,
    info: Record<string, unknown>,
    fields: ProcessFields,
  ) {
    this.info = info;
    this.identity = identity;
    this.hostname = String(info.hostname ?? '');
    this.pid = Number(info.pid ?? 0);
    this.tag = String(info.tag ?? '');
    this.labels = Array.isArray(info.labels) ? info.labels.map(String) : [];
    this.queues = Array.isArray(info.queues) ? info.queues.map(String) : [];
    if (Array.isArray(info.weights)) this.weights = info.weights as Record<string, number>[];
    this.concurrency = Number(fields.concurrency ?? info.concurrency ?? 0);
    this.startedAt = new Date((toEpochSeconds(info.started_at) ?? 0) * 1000);
    if (typeof info.version === 'string') this.version = info.version;
    this.embedded = info.embedded === true;
    this.busy = Number(fields.busy ?? 0);
    this.beat = new Date(Number(fields.beat ?? 0) * 1000);
    this.stopping = fields.quiet === 'true';
    this.rss = Number(fields.rss ?? 0);
    this.rttUs = Number(fields.rtt_us ?? 0);
  }

  /** Stop taking new jobs; running ones finish. Takes effect at the process's next heartbeat. */
  quiet(): Promise<void> {
    return this.signal('TSTP');
  }

  /** Shut down gracefully (as SIGTERM). Takes effect at the process's next heartbeat. */
  stop(): Promise<void> {
    return this.signal('TERM');
  }

  /** Log what every running job is doing (as SIGTTIN). */
  dumpThreads(): Promise<void> {
    return this.signal('TTIN');
  }

  async signal(signal: ProcessSignal): Promise<void> {
    if (this.embedded)
      throw new Error(`process ${this.identity} is embedded: it cannot be signalled through Redis`);
    const key = this.connection.keys.signals(this.identity);
    await this.connection.redis.multi().lpush(key, signal).expire(key, SIGNAL_TTL_SECONDS).exec();
  }
}

export class ProcessSet implements AsyncIterable<ProcessRecord> {
  constructor(private readonly connection: ApiConnection) {}

  /** Members of `processes`, live or not yet pruned (Sidekiq's `ProcessSet#size`: a raw SCARD). */
  size(): Promise<number> {
    return this.connection.redis.scard(this.connection.keys.processes);
  }

  /** The live processes, sorted by identity; runs a (throttled) `cleanup` first. */
  async list(): Promise<ProcessRecord[]> {
    await this.cleanup();
    const { redis, keys } = this.connection;
    const identities = (await scanSetMembers(redis, keys.processes)).sort();
    const live: ProcessRecord[] = [];
    for (let i = 0; i < identities.length; i += PIPELINE_CHUNK) {
      const pipeline = readBatch(redis);
      const chunk = identities.slice(i, i + PIPELINE_CHUNK);
      for (const identity of chunk) pipeline.hmget(keys.process(identity), ...HASH_FIELDS);
      const replies = (await pipeline.exec()) ?? [];
      chunk.forEach((identity, j) => {
        const record = this.toRecord(identity, replies[j]?.[1] as (string | null)[] | undefined);
        if (record) live.push(record);
      });
    }
    return live;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ProcessRecord> {
    yield* await this.list();
  }

  /** One live process by identity, or undefined. */
  async get(identity: string): Promise<ProcessRecord | undefined> {
    const { redis, keys } = this.connection;
    const replies = await readBatch(redis)
      .sismember(keys.processes, identity)
      .hmget(keys.process(identity), ...HASH_FIELDS)
      .exec();
    if (!replies || replies[0]![1] !== 1) return undefined;
    return this.toRecord(identity, replies[1]![1] as (string | null)[]);
  }

  /**
   * Removes members whose heartbeat hash has expired; resolves to how many. Throttled to once a minute across every
   * reader (Sidekiq's `process_cleanup` key) unless `force`.
   */
  async cleanup(options: { readonly force?: boolean } = {}): Promise<number> {
    const { redis, keys } = this.connection;
    if (!options.force) {
      const first = await redis.set(keys.processCleanup, '1', 'EX', CLEANUP_THROTTLE_SECONDS, 'NX');
      if (first === null) return 0;
    }
    const identities = await scanSetMembers(redis, keys.processes);
    if (identities.length === 0) return 0;
    const pipeline = readBatch(redis);
    for (const identity of identities) pipeline.hget(keys.process(identity), 'info');
    const infos = (await pipeline.exec()) ?? [];
    const dead = identities.filter((_, i) => infos[i]?.[1] === null);
    return dead.length === 0 ? 0 : redis.srem(keys.processes, ...dead);
  }

  /** Jobs running across all processes, as of their last heartbeats. */
  async busy(): Promise<number> {
    return sum(await this.list(), (process) => process.busy);
  }

  async totalConcurrency(): Promise<number> {
    return sum(await this.list(), (process) => process.concurrency);
  }

  async totalRss(): Promise<number> {
    return sum(await this.list(), (process) => process.rss);
  }

  /** The leader's identity (Sidekiq Enterprise), or "". */
  async leader(): Promise<string> {
    return (await this.connection.redis.get(this.connection.keys.leader)) ?? '';
  }

  private toRecord(
    identity: string,
    values: readonly (string | null)[] | undefined,
  ): ProcessRecord | undefined {
    const info = values?.[0];
    if (!values || info === null || info === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(info);
    } catch {
      return undefined;
    }
    if (!parsed || typeof parsed !== 'object') return undefined;
    const fields = Object.fromEntries(HASH_FIELDS.map((field, i) => [field, values[i] ?? null]));
    return new ProcessRecord(
      this.connection,
      identity,
      parsed as Record<string, unknown>,
      fields as ProcessFields,
    );
  }
}

type ProcessFields = Readonly<Record<(typeof HASH_FIELDS)[number], string | null>>;

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
