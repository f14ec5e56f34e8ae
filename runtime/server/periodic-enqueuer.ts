/**
 * PeriodicEnqueuer: every tick of every periodic entry becomes exactly one job, whatever the number of processes.
 *  1. start(): write this process's entry set to Redis (periodic-sync.ts); an entry that asks for it (`missed:
 *     'last'`) gets its latest tick missed while no process ran, once;
 *  2. tick(): for each entry, every tick since the last one this process tried, up to now, is claimed with
 *     periodic-enqueue.lua: the first process to claim a tick pushes its job in the same atomic step, the others
 *     hear "taken". There is no leader, so no takeover time: a tick is missed only while no process runs;
 *  3. the timer wakes at the next tick of any entry (at most every few seconds, to check that the stored set is
 *     still this process's version, to follow a clock that jumped and to push the jobs that a process claimed for
 *     its client middleware and died before pushing: pushStranded(), periodic-claim.ts).
 * Ticks before a process started are not its to enqueue: they were skipped (the default) or caught up in 1.
 */
import type { CronSchedule } from '../core/cron.js';
import { newJid } from '../core/job.js';
import type { PeriodicEntry } from '../core/periodic.js';
import { describeError } from '../core/thrown-value.js';
import type { RuntimeContext } from './actor-context.js';
import { claimTick, pushHeld, type TickOutcome } from './periodic-claim.js';
import { describe, PeriodicSync } from './periodic-sync.js';

/** The longest sleep between two wake-ups. */
const MAX_SLEEP_MS = 5000;
/** Wake this long after a tick, so that the clock reads at or past it. */
const WAKE_LATE_MS = 2;
/** After a failed wake (Redis refused a command), the least wait before the next. */
const RETRY_MS = 1000;
/** A process stalled for more ticks than this claims only the latest one of them. */
const MAX_TICKS_PER_WAKE = 100;

interface Tracked {
  readonly entry: PeriodicEntry;
  readonly schedule: CronSchedule;
  readonly definition: string;
  /** The last tick this process tried, or its start time: it tries the ticks after. */
  cursor: number;
}

export class PeriodicEnqueuer {
  private readonly tracked: Tracked[];
  private readonly sync: PeriodicSync;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;
  private started = false;
  /** When start() was called: ticks after it are this process's, even if Redis answered only later. */
  private startedAt?: number;
  private failed = false;
  /** The jids of the ticks this process claimed and is pushing: held for its client middleware, not stranded. */
  private readonly pushing = new Set<string>();

  constructor(
    private readonly ctx: RuntimeContext,
    entries: readonly PeriodicEntry[],
  ) {
    this.sync = new PeriodicSync(ctx, entries);
    this.tracked = entries.map((entry) => ({
      entry,
      schedule: this.sync.schedules.get(entry.name)!,
      definition: this.sync.definitions.get(entry.name)!,
      cursor: 0,
    }));
  }

  /** Writes the entry set and catches up the entries that ask for it; tick() runs from then on. */
  async begin(): Promise<void> {
    const counts = await this.sync.write();
    this.ctx.logger.info(`periodic: ${this.tracked.length} entries (${describe(counts)})`);
    const now = this.nowSeconds();
    for (const tracked of this.tracked) {
      tracked.cursor = this.startedAt ?? now;
      if (tracked.entry.missed === 'last') await this.catchUp(tracked, now);
    }
    this.started = true;
  }

  /** Claims every due tick not yet tried; resolves to how many jobs this process pushed. */
  async tick(): Promise<number> {
    if (!this.started) await this.begin();
    const now = this.nowSeconds();
    const pushed = await Promise.all(this.tracked.map((tracked) => this.claimDue(tracked, now)));
    return pushed.reduce((sum, count) => sum + count, 0);
  }

  /**
   * Pushes the jobs that a claim held for client middleware and its claimer never pushed: it died (its heartbeat
   * is gone), or it is this process, whose push failed. Resolves to how many it pushed.
   */
  async pushStranded(): Promise<number> {
    const { redis, keys, identity } = this.ctx;
    const pipeline = redis.pipeline();
    for (const { entry } of this.tracked) pipeline.hgetall(keys.periodicState(entry.name));
    const replies = (await pipeline.exec()) ?? [];
    let pushed = 0;
    for (const [i, { entry }] of this.tracked.entries()) {
      for (const { jid, job, claimer } of heldJobs((replies[i]?.[1] ?? {}) as Record<string, string>)) {
        if (this.pushing.has(jid)) continue;
        if (claimer !== identity && (await redis.exists(keys.process(claimer))) === 1) continue;
        const outcome = await pushHeld(this.ctx, entry, jid, job);
        if (!outcome.pushed) continue;
        pushed++;
        const tick = (JSON.parse(job) as { periodic?: { tick?: number } }).periodic?.tick ?? 0;
        this.ctx.logger.info(
          `periodic: "${entry.name}": pushed the job of its tick of ${new Date(tick * 1000).toISOString()} that ${claimer} claimed and did not push`,
          { jid: outcome.jid },
        );
        this.emitEnqueued(entry, tick, outcome);
      }
    }
    return pushed;
  }

  /** Rewrites the stored entry set if it is another version's whose writer is gone (periodic-sync.ts). */
  checkEntrySet(): Promise<boolean> {
    return this.sync.check();
  }

  start(): void {
    this.stopped = false;
    this.startedAt = this.nowSeconds();
    this.running = this.guarded(() => this.begin());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const nowMs = this.ctx.clock.now();
    let wakeMs = nowMs + MAX_SLEEP_MS;
    for (const { schedule, cursor } of this.tracked) {
      const next = schedule.next(Math.max(cursor, Math.floor(nowMs / 1000) - 1));
      if (next !== undefined) wakeMs = Math.min(wakeMs, next * 1000 + WAKE_LATE_MS);
    }
    this.timer = setTimeout(
      () => {
        this.running = this.guarded(() => this.wake());
      },
      Math.max(this.failed ? RETRY_MS : 0, wakeMs - nowMs),
    );
  }

  /**
   * One wake's work: the stored entry set checked, the jobs that claimers held for client middleware and never
   * pushed pushed (by any process, with middleware or not: one that has none may be all that is left), the ticks due
   * claimed.
   */
  async wake(): Promise<void> {
    if (!this.started) await this.begin();
    await this.checkEntrySet();
    await this.pushStranded();
    await this.tick();
  }

  /** Runs one wake's work; an error is logged, and the next wake waits at least RETRY_MS. */
  private async guarded(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.failed = false;
    } catch (error) {
      this.failed = true;
      this.ctx.logger.warn(`periodic: ${describeError(error)}`);
    }
    this.scheduleNext();
  }

  private async claimDue(tracked: Tracked, now: number): Promise<number> {
    const due: number[] = [];
    for (let tick = tracked.schedule.next(tracked.cursor); tick !== undefined && tick <= now; ) {
      due.push(tick);
      tick = tracked.schedule.next(tick);
      if (due.length > MAX_TICKS_PER_WAKE) due.shift();
    }
    let pushed = 0;
    for (const tick of due) {
      if (await this.claim(tracked, tick)) pushed++;
      tracked.cursor = tick;
    }
    return pushed;
  }

  private async catchUp(tracked: Tracked, now: number): Promise<void> {
    const { redis, keys } = this.ctx;
    const last = await redis.hget(keys.periodicState(tracked.entry.name), 'last_tick');
    if (last === null) return; // never ran: nothing was missed
    const latest = tracked.schedule.latest(now);
    if (latest !== undefined && latest > Number(last)) {
      if (await this.claim(tracked, latest)) {
        this.ctx.logger.info(
          `periodic: "${tracked.entry.name}" missed its tick of ${new Date(latest * 1000).toISOString()}: enqueued it once`,
        );
      }
    }
  }

  private async claim(tracked: Tracked, tick: number): Promise<boolean> {
    const { entry, definition } = tracked;
    const jid = newJid();
    this.pushing.add(jid);
    let outcome: TickOutcome;
    try {
      outcome = await claimTick(this.ctx, entry, definition, tick, jid);
    } finally {
      this.pushing.delete(jid);
    }
    if (!outcome.pushed) return false;
    this.ctx.logger.debug(`periodic: enqueued "${entry.name}" for ${new Date(tick * 1000).toISOString()}`, {
      jid: outcome.jid,
    });
    this.emitEnqueued(entry, tick, outcome);
    return true;
  }

  private emitEnqueued(entry: PeriodicEntry, tick: number, outcome: TickOutcome): void {
    this.ctx.events.emit('periodic:enqueued', {
      name: entry.name,
      tick,
      jid: outcome.jid,
      className: entry.className,
    });
  }

  private nowSeconds(): number {
    return Math.floor(this.ctx.clock.now() / 1000);
  }
}

/** The jobs an entry's state holds for client middleware (periodic-enqueue.lua): `pending_job:<jid>`, `pending_by:<jid>`. */
function heldJobs(state: Record<string, string>): { jid: string; job: string; claimer: string }[] {
  const held = [];
  for (const [field, job] of Object.entries(state)) {
    if (!field.startsWith('pending_job:')) continue;
    const jid = field.slice('pending_job:'.length);
    const claimer = state[`pending_by:${jid}`];
    if (claimer) held.push({ jid, job, claimer });
  }
  return held;
}
