/**
 * Completer: the one place that writes a job's outcome to Redis.
 *  1. dispositions are gathered and written once per event-loop turn, in one MULTI: acknowledgements (ack.lua, or
 *     an LREM each for one job or large payloads: the exact payloads out of the in-progress list, as bytes for one
 *     that is not UTF-8), retry and dead-set
 *     entries, and the processed/failed counters (in cluster mode, where one MULTI cannot span slots: retry and
 *     dead entries first, then acknowledgements and counters, so a crash in between runs a job again rather
 *     than losing it), and the batch's execution metrics in Sidekiq's format (execution-metrics.ts);
 *  2. if Redis is away, the batch is kept and written again once it is back, so no outcome is dropped
 *     and no acknowledged job runs again;
 *  3. until the write is confirmed, the payloads count as held (see HeldJobs), so they are not adopted twice;
 *  4. a unique job that succeeded releases its lock in the same batch (unique-release.ts), and a job of a Sidepunch
 *     batch is counted in it, its callbacks pushed when due, in the same MULTI (batch-outcome.ts), and
 *     so is a job of a workflow (flow-outcome.ts);
 *  5. close() (at shutdown's deadline) stops the retries: what is unwritten stays in the in-progress list;
 *  6. a success with nothing else to write (no lock, batch or workflow) waits up to LINGER_MS to share a write when
 *     more outcomes are sure to follow: a job that came into an idle process alone (a blocking fetch brought it;
 *     the next trickling one will), or one that finished while other jobs still run beside it (slow jobs finish one
 *     at a time, each would otherwise cost a MULTI of seven commands). Any other outcome, the last running job's,
 *     or LINGER_MAX_JOBS waiting writes everything at once, so a drain's end is not delayed; a hard crash meanwhile
 *     runs the waiting jobs again (at least once, as ever). Half a second keeps the counters far fresher than
 *     Sidekiq's, which its heartbeat writes every 10 s.
 */

import { addToDeadSet, trimDeadSet } from '../core/add-to-dead-set.js';
import { type JobPayload, parseObject } from '../core/job.js';
import { SlotBatch } from '../redis/slot-batch.js';
import type { RuntimeContext } from './actor-context.js';
import { BatchOutcomes, inBatch } from './batch-outcome.js';
import { type ExecutionSample, ExecutionTally } from './execution-metrics.js';
import { FlowOutcomes, inFlow } from './flow-outcome.js';
import type { Disposition } from './job-retry.js';
import { holdsUniqueLock, releaseOnSuccess } from './unique-release.js';
import type { HeldJobs, UnitOfWork } from './unit-of-work.js';

/** Daily stat keys live five years, as Sidekiq's. */
const DAILY_STAT_TTL_SECONDS = 5 * 365 * 24 * 60 * 60;
const RETRY_DELAY_MS = 500;
/** Longest a trickling job's outcome waits for company (step 6). */
const LINGER_MS = 500;
/** Outcomes waiting that are written at once rather than wait longer. */
const LINGER_MAX_JOBS = 256;
/** The most payload characters ack.lua's window may copy into Lua, about; larger batches use an LREM each. */
const ACK_WINDOW_CHARS = 1024 * 1024;

/**
 * The most ack.lua could read for `count` acknowledgements from `inProgressKey`: a window of its oldest 2N + 32
 * entries, which are this process's jobs (held: running, taken ahead, or being acknowledged), large ones beside
 * small ones included.
 */
function ackWindowChars(held: HeldJobs, inProgressKey: string, count: number): number {
  let total = 0;
  let largest = 0;
  for (const unit of held.units()) {
    if (unit.inProgressKey !== inProgressKey) continue;
    total += unit.raw.length;
    if (unit.raw.length > largest) largest = unit.raw.length;
  }
  return Math.min(total, largest * (2 * count + 32));
}

interface Recorded {
  readonly unit: UnitOfWork;
  readonly disposition: Disposition;
  /** The job as the executor parsed it (for a job that ran): its unique lock, batch and workflow are read from it. */
  readonly job?: Readonly<JobPayload>;
}

/**
 * Outcomes written together. A plain success (most outcomes) is kept as its unit alone and its metrics sample is
 * tallied as it comes: what waits for the write is what the write needs, so the parsed job and the sample die young
 * instead of being copied by every young-generation collection until Redis confirms the write.
 */
class OutcomeBatch {
  readonly succeeded: UnitOfWork[] = [];
  readonly others: Recorded[] = [];
  readonly tally = new ExecutionTally();

  get size(): number {
    return this.succeeded.length + this.others.length;
  }

  *units(): Generator<UnitOfWork> {
    yield* this.succeeded;
    for (const recorded of this.others) yield recorded.unit;
  }
}

export class Completer {
  private pending = new OutcomeBatch();
  /** The batch being written: still held until Redis confirms it. */
  private writing?: OutcomeBatch;
  private flushing?: Promise<void>;
  private scheduled = false;
  /** Set while trickling jobs' outcomes wait for company (step 6). */
  private lingering?: NodeJS.Timeout;
  private closed = false;
  /** Metrics keys of the current minute this process already gave their TTL (execution-metrics.ts). */
  private readonly metricsExpired = new ExpiredThisPeriod();
  /** Daily stat keys of today this process already gave their TTL (five years: once a day is enough). */
  private readonly dailyExpired = new ExpiredThisPeriod();

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly held: HeldJobs,
    private readonly lingerMs = LINGER_MS,
  ) {
    held.addSource(
      function* (this: Completer) {
        if (this.writing) yield* this.writing.units();
        yield* this.pending.units();
      }.bind(this),
    );
  }

  /** `othersRunning`: jobs still run beside this one, whose outcomes will come (step 6). */
  record(
    unit: UnitOfWork,
    disposition: Disposition,
    sample?: ExecutionSample,
    job?: Readonly<JobPayload>,
    othersRunning = false,
  ): void {
    if (this.closed) return; // after shutdown requeued it, the job runs again elsewhere
    const pending = this.pending;
    if (sample && this.ctx.config.executionMetrics !== 'off') pending.tally.add(sample);
    const plain = isPlainSuccess(disposition, job);
    if (plain) pending.succeeded.push(unit);
    else pending.others.push({ unit, disposition, job });
    if (this.scheduled || this.flushing) return; // the next write takes it
    if (plain && (unit.fromBlockingFetch || othersRunning) && pending.size < LINGER_MAX_JOBS) {
      this.lingering ??= setTimeout(() => this.writeSoon(), this.lingerMs);
    } else this.writeSoon();
  }

  /** Starts a write at the next turn of the event loop, with whatever is recorded by then. */
  private writeSoon(): void {
    this.stopLingering();
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private stopLingering(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
  }

  /** Writes everything recorded so far; resolves once Redis has it. One writer runs at a time. */
  async flush(): Promise<void> {
    this.stopLingering();
    while (this.flushing || (this.pending.size > 0 && !this.closed)) {
      this.flushing ??= this.writeAll().finally(() => {
        this.flushing = undefined;
      });
      await this.flushing;
    }
  }

  /** Batches written one after another; what is recorded while one is in flight goes in the next. */
  private async writeAll(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) await this.writeBatch();
  }

  /**
   * Outcomes recorded from now on are dropped (their jobs were requeued at shutdown), and a batch Redis refused is
   * not tried again: its jobs stay in the in-progress list, to run again.
   */
  close(): void {
    this.closed = true;
    this.stopLingering();
  }

  /** Outcomes recorded and not yet confirmed by Redis. */
  get unwritten(): number {
    return (this.writing?.size ?? 0) + this.pending.size;
  }

  private async writeBatch(): Promise<void> {
    const batch = this.pending;
    this.pending = new OutcomeBatch();
    this.writing = batch;
    for (;;) {
      try {
        await this.write(batch);
        break;
      } catch (error) {
        if (this.closed) return;
        this.ctx.logger.warn(
          `could not write ${batch.size} job outcome(s), retrying: ${(error as Error).message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    }
    this.writing = undefined;
    const { events } = this.ctx;
    if (events.has('complete:flushed')) {
      const jids = [...batch.units()].map((unit) => jidOf(unit.raw)).filter((jid) => jid !== undefined);
      events.emit('complete:flushed', { count: batch.size, jids });
    }
  }

  private async write(outcomes: OutcomeBatch): Promise<void> {
    const { keys, clock } = this.ctx;
    const now = clock.now() / 1000;
    const batch = new SlotBatch(this.ctx.redis);
    let processed = 0;
    let failed = 0;
    let killed = false;
    const acks = new Map<string, (string | Buffer)[]>();
    const acknowledge = (unit: UnitOfWork) => {
      const payloads = acks.get(unit.inProgressKey);
      if (payloads) payloads.push(unit.stored);
      else acks.set(unit.inProgressKey, [unit.stored]);
    };
    const metrics = this.ctx.config.executionMetrics;
    const batchOutcomes = new BatchOutcomes(this.ctx);
    const flowOutcomes = new FlowOutcomes(this.ctx);
    for (const unit of outcomes.succeeded) acknowledge(unit);
    processed += outcomes.succeeded.length;
    for (const { unit, disposition, job } of outcomes.others) {
      batchOutcomes.add(unit.raw, disposition, job);
      flowOutcomes.add(unit.raw, disposition, job);
      acknowledge(unit);
      switch (disposition.kind) {
        case 'ack':
          processed++;
          if (disposition.failed) failed++;
          else if (job) releaseOnSuccess(this.ctx, batch, job);
          break;
        case 'reschedule':
          batch.on(keys.schedule).zadd(keys.schedule, disposition.at, disposition.payload);
          batch.on(keys.limiterReschedules).hincrby(keys.limiterReschedules, disposition.limiter, 1);
          break;
        case 'retry':
          batch.on(keys.retry).zadd(keys.retry, disposition.at, disposition.payload);
          processed++;
          failed++;
          break;
        case 'kill':
          addToDeadSet(batch, keys, disposition.payload, now, disposition.reason);
          killed = true;
          if (disposition.counted) {
            processed++;
            failed++;
          }
          break;
      }
    }
    if (killed) trimDeadSet(batch, keys, now);
    batchOutcomes.write(batch);
    flowOutcomes.write(batch);
    batch.nextStep();
    for (const [inProgressKey, payloads] of acks) {
      // One job alone (an idle process's) is one LREM; a batch is one script call of a few commands (ack.lua),
      // unless its window holds large payloads: the script copies 2N + 32 entries into Lua, 68 MB for one job of
      // 2 MB (or for small ones finishing beside it), where an LREM each from the oldest end finds them after a few
      // length checks.
      if (
        payloads.length === 1 ||
        ackWindowChars(this.held, inProgressKey, payloads.length) > ACK_WINDOW_CHARS
      )
        for (const payload of payloads) batch.on(inProgressKey).lrem(inProgressKey, -1, payload);
      else batch.script('sidepunchAck', inProgressKey, ...payloads);
    }
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const dailyExpired = this.dailyExpired.in(day);
    const counted = [
      this.count(batch, keys.statProcessed(), keys.statProcessed(day), processed, dailyExpired),
      this.count(batch, keys.statFailed(), keys.statFailed(day), failed, dailyExpired),
    ];
    const minute = Math.floor(clock.now() / 60_000);
    const expiring =
      metrics === 'off'
        ? []
        : outcomes.tally.write(batch, keys, metrics, clock.now(), this.metricsExpired.in(minute));
    await batch.exec();
    this.metricsExpired.add(expiring);
    this.dailyExpired.add(counted);
  }

  /** Adds to a counter and its daily key; returns the daily key when this write gives it its TTL. */
  private count(
    batch: SlotBatch,
    total: string,
    daily: string,
    amount: number,
    expired: ReadonlySet<string>,
  ): string | undefined {
    if (amount === 0) return undefined;
    batch.on(total).incrby(total, amount);
    batch.on(daily).incrby(daily, amount);
    if (expired.has(daily)) return undefined;
    batch.on(daily).expire(daily, DAILY_STAT_TTL_SECONDS);
    return daily;
  }
}

/**
 * The keys this process gave their TTL in the current period (a minute's metrics keys, a day's counters): each
 * gets its EXPIRE once a period, not with every write. A new period starts empty.
 */
class ExpiredThisPeriod {
  private period: string | number | undefined;
  private keys = new Set<string>();

  /** The keys already given their TTL in `period`. */
  in(period: string | number): ReadonlySet<string> {
    if (period !== this.period) {
      this.period = period;
      this.keys = new Set();
    }
    return this.keys;
  }

  /** Keys given their TTL by a write Redis confirmed (undefined: none given). */
  add(keys: Iterable<string | undefined>): void {
    for (const key of keys) if (key !== undefined) this.keys.add(key);
  }
}

/**
 * A success with nothing to write but its acknowledgement, counters and metrics: no unique lock to release, no
 * batch or workflow to tell. Only its own re-run, after a hard crash, depends on when that is written.
 */
function isPlainSuccess(disposition: Disposition, job: Readonly<JobPayload> | undefined): boolean {
  return (
    disposition.kind === 'ack' &&
    !disposition.failed &&
    job !== undefined &&
    !holdsUniqueLock(job) &&
    !inBatch(job) &&
    !inFlow(job)
  );
}

/** A written payload's jid, for listeners only: parsed again rather than carried through every outcome. */
function jidOf(raw: string): string | undefined {
  const jid = parseObject(raw)?.jid;
  return typeof jid === 'string' ? jid : undefined;
}
