/**
 * The periodic entries as Redis holds them (docs/periodic.md): each declared entry with its schedule, its last
 * tick and that tick's jid, and its pause flag; `pause`, `resume` and `enqueueNow` change them. What is declared is
 * what the last deploy wrote; the next run is computed here from the cron expression and the API's clock.
 */
import { CronSchedule } from '../core/cron.js';
import { newJid } from '../core/job.js';
import {
  entryFromDefinition,
  type PeriodicEntry,
  periodicJob,
  periodicUniqueRule,
} from '../core/periodic.js';
import { hasClientMiddleware, repushThroughMiddleware } from '../middleware/stored-repush.js';
import type { ApiConnection } from './api-connection.js';

export class PeriodicEntryRecord {
  readonly name: string;
  readonly cron: string;
  /** The IANA time zone its cron fields are read in; undefined for UTC. */
  readonly tz?: string;
  readonly className: string;
  readonly args: readonly unknown[];
  readonly queue: string;
  /** Ticks missed while no process ran: skipped, or the last one enqueued at start-up. */
  readonly missed: 'skip' | 'last';
  /** Its next tick after now (paused or not). */
  readonly nextRun?: Date;
  /** The last tick enqueued, and its job's jid. */
  readonly lastRun?: Date;
  readonly lastJid?: string;
  readonly paused: boolean;
  /** When it was paused. */
  readonly pausedAt?: Date;

  constructor(
    private readonly set: PeriodicSet,
    entry: PeriodicEntry,
    state: Readonly<Record<string, string>>,
    now: number,
  ) {
    this.name = entry.name;
    this.cron = entry.cron;
    if (entry.tz !== undefined) this.tz = entry.tz;
    this.className = entry.className;
    this.args = entry.args;
    this.queue = entry.options.queue ?? 'default';
    this.missed = entry.missed;
    const next = scheduleOf(entry)?.next(now / 1000);
    if (next !== undefined) this.nextRun = new Date(next * 1000);
    if (state.last_tick !== undefined) this.lastRun = new Date(Number(state.last_tick) * 1000);
    if (state.last_jid) this.lastJid = state.last_jid;
    this.paused = state.paused !== undefined;
    if (state.paused !== undefined && Number(state.paused) > 0)
      this.pausedAt = new Date(Number(state.paused) * 1000);
  }

  pause(): Promise<void> {
    return this.set.pause(this.name);
  }

  resume(): Promise<void> {
    return this.set.resume(this.name);
  }

  enqueueNow(): Promise<string | undefined> {
    return this.set.enqueueNow(this.name);
  }
}

export class PeriodicEntryNotFound extends Error {
  override name = 'PeriodicEntryNotFound';
  constructor(entryName: string) {
    super(`no periodic entry is named "${entryName}" (the entries are those the last deploy declared)`);
  }
}

export class PeriodicSet {
  constructor(private readonly connection: ApiConnection) {}

  /** Every declared entry, sorted by name. */
  async all(): Promise<PeriodicEntryRecord[]> {
    const { redis, keys, clock } = this.connection;
    const definitions = await redis.hgetall(keys.periodic);
    const entries = Object.values(definitions)
      .map(entryFromDefinition)
      .filter((entry): entry is PeriodicEntry => entry !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
    const pipeline = redis.pipeline();
    for (const entry of entries) pipeline.hgetall(keys.periodicState(entry.name));
    const states = entries.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const now = clock.now();
    return entries.map(
      (entry, i) =>
        new PeriodicEntryRecord(this, entry, (states[i]?.[1] ?? {}) as Record<string, string>, now),
    );
  }

  /** The entry named `name`, or undefined. */
  async get(name: string): Promise<PeriodicEntryRecord | undefined> {
    const { redis, keys, clock } = this.connection;
    const [definition, state] = await Promise.all([
      redis.hget(keys.periodic, name),
      redis.hgetall(keys.periodicState(name)),
    ]);
    const entry = definition === null ? undefined : entryFromDefinition(definition);
    return entry && new PeriodicEntryRecord(this, entry, state, clock.now());
  }

  async size(): Promise<number> {
    return this.connection.redis.hlen(this.connection.keys.periodic);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PeriodicEntryRecord> {
    yield* await this.all();
  }

  /**
   * No tick of it is enqueued until `resume`, nor later: the ticks of the pause are never caught up. Deploys keep
   * the flag.
   */
  pause(name: string): Promise<void> {
    return this.setPaused(name, true);
  }

  resume(name: string): Promise<void> {
    return this.setPaused(name, false);
  }

  /**
   * Pushes one job of the entry now, paused or not, outside its schedule: its `periodic` field says
   * `manual: true`, with now as its tick. The entry's ticks are unchanged. Resolves to the jid (undefined when a
   * client middleware stopped the push, or, for a unique entry, a pending job holds its lock).
   */
  async enqueueNow(name: string): Promise<string | undefined> {
    const { redis, keys, clock } = this.connection;
    const definition = await redis.hget(keys.periodic, name);
    const entry = definition === null ? undefined : entryFromDefinition(definition);
    if (!entry) throw new PeriodicEntryNotFound(name);
    const now = clock.now() / 1000;
    // A tick is whole seconds (docs/periodic.md), a manual one too.
    let payload = periodicJob(entry, Math.floor(now), newJid(), now, true);
    let queue = entry.options.queue ?? 'default';
    if (hasClientMiddleware()) {
      const through = await repushThroughMiddleware(payload, queue, redis, 'api');
      if ('reason' in through) throw new Error(`periodic entry "${name}": ${through.reason}`);
      ({ payload, queue } = through);
      if (payload === '') return undefined;
    }
    const job = JSON.parse(payload) as { jid: string; unique_digest?: unknown };
    const rule = periodicUniqueRule(entry);
    if (rule && typeof job.unique_digest === 'string') {
      // As the client pushes a unique job: its lock taken with the push, nothing pushed while another holds it.
      const pushed = await redis.sidepunchUniquePush(
        keys.uniqueLock(job.unique_digest),
        keys.queues,
        keys.queue(queue),
        job.jid,
        Math.ceil(rule.forSeconds * 1000),
        queue,
        '',
        payload,
      );
      return pushed === 1 ? job.jid : undefined;
    }
    await redis.multi().sadd(keys.queues, queue).lpush(keys.queue(queue), payload).exec();
    return job.jid;
  }

  /**
   * A resume passes the entry's latest tick at or before now: the ticks up to it passed while it was paused, and
   * periodic-enqueue.lua then counts them as taken, so that no process enqueues them later (catching up
   * `missed: 'last'` at start-up, or waking from a stall).
   */
  private async setPaused(name: string, paused: boolean): Promise<void> {
    const { redis, keys, clock } = this.connection;
    const now = clock.now() / 1000;
    let latestTick: number | undefined;
    if (!paused) {
      const definition = await redis.hget(keys.periodic, name);
      const entry = definition === null ? undefined : entryFromDefinition(definition);
      latestTick = entry && scheduleOf(entry)?.latest(now);
    }
    const done = await redis.sidepunchPeriodicPause(
      keys.periodic,
      keys.periodicState(name),
      name,
      paused ? '1' : '0',
      now,
      latestTick ?? '',
    );
    if (done !== 1) throw new PeriodicEntryNotFound(name);
  }
}

function scheduleOf(entry: PeriodicEntry): CronSchedule | undefined {
  try {
    return new CronSchedule(entry.cron, entry.tz);
  } catch {
    return undefined;
  }
}
