/**
 * Scheduler (Sidekiq's poller): moves due jobs from `schedule` and `retry` onto their queues.
 *  1. tick(): for each set, read up to 100 due members, set each one's `enqueued_at` by editing its text, and let
 *     promote.lua move them atomically, each exactly once even with many processes polling; repeat while full
 *     batches come back (in cluster mode the queues live in other hash slots: StagedPromoter moves them in
 *     resumable steps);
 *     with client middleware registered, each due job goes through the chain first (it may change the job or
 *     stop its push: then it is only removed), and the same script moves the result;
 *  2. a member that is not a job object cannot be pushed: it goes to the dead set with the reason, and so does one
 *     whose bytes are not UTF-8 (a Ruby writer's), read back as bytes so that it leaves its set byte for byte
 *     instead of being tried again at every poll;
 *  3. start() ticks at random intervals averaging `pollIntervalSeconds × live processes`, as Sidekiq spreads
 *     polls across a fleet, so the fleet as a whole polls about once per interval.
 */

import { isUtf8 } from 'node:buffer';
import { addToDeadSet, trimDeadSet } from '../core/add-to-dead-set.js';
import { jobOf, parseJob } from '../core/job.js';
import { patchJob } from '../core/job-patch.js';
import { mayHaveLostBytes } from '../core/lossy-decoding.js';
import { describeError } from '../core/thrown-value.js';
import { MAX_TIMEOUT_SECONDS } from '../core/timeout.js';
import {
  hasClientMiddleware,
  repushThroughMiddleware,
  type StoredRepush,
} from '../middleware/stored-repush.js';
import { isCluster } from '../redis/redis-connection.js';
import { SlotBatch } from '../redis/slot-batch.js';
import type { RuntimeContext } from './actor-context.js';
import { StagedPromoter } from './staged-promote.js';

const BATCH = 100;

export class Scheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  private readonly staged?: StagedPromoter;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly random: () => number = Math.random,
  ) {
    if (isCluster(ctx.redis)) this.staged = new StagedPromoter(ctx);
  }

  /** Moves every job due now; resolves to how many moved. */
  async tick(): Promise<number> {
    await this.staged?.resume();
    let moved = 0;
    for (const set of [this.ctx.keys.schedule, this.ctx.keys.retry]) {
      for (;;) {
        const { moved: batchMoved, full } = await this.promoteBatch(set);
        moved += batchMoved;
        if (!full || this.stopped) break;
      }
    }
    return moved;
  }

  start(): void {
    this.stopped = false;
    void this.scheduleNext();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    const delayMs = await this.nextDelayMs();
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error) => this.ctx.logger.warn(`scheduler: ${describeError(error)}`))
        .finally(() => void this.scheduleNext());
    }, delayMs);
  }

  /** Sidekiq: the average grows with the number of processes; each interval is drawn from [0.5, 1.5) × it. */
  private async nextDelayMs(): Promise<number> {
    let processes = 1;
    try {
      processes = Math.max(1, await this.ctx.redis.scard(this.ctx.keys.processes));
    } catch {
      // Redis away: poll at the single-process rate; the tick will wait for the reconnect.
    }
    const average = this.ctx.config.pollIntervalSeconds * processes * 1000;
    // Node fires a longer timer after 1 ms: a long interval times many processes would poll without a pause.
    return Math.min(average * (0.5 + this.random()), MAX_TIMEOUT_SECONDS * 1000);
  }

  private async promoteBatch(set: string): Promise<{ moved: number; full: boolean }> {
    const { redis, keys, clock } = this.ctx;
    const now = clock.now() / 1000;
    const { due, notUtf8 } = await this.readDue(set, now);
    const read = due.length + notUtf8.length;
    if (read === 0) return { moved: 0, full: false };
    const queueKeys: string[] = [];
    const args: string[] = [];
    const unreadable: { member: string | Buffer; reason: string }[] = notUtf8.map((member) => ({
      member,
      reason: unperformableReason(member),
    }));
    const origin = set === keys.retry ? 'retry' : 'schedule';
    let kept = 0;
    for (const member of due) {
      const job = jobOf(member);
      if ('reason' in job) {
        unreadable.push({ member, reason: job.reason });
        continue;
      }
      // The script moves the member only if it is still there, so a job is pushed once even if two processes ran
      // the middleware on it.
      const target = hasClientMiddleware()
        ? await this.throughMiddleware(member, job.queue, now, origin)
        : { payload: patchJob(member, { enqueued_at: now }), queue: job.queue };
      if (target === 'kept') {
        kept++;
        continue;
      }
      if ('reason' in target) {
        unreadable.push({ member, reason: target.reason });
        continue;
      }
      queueKeys.push(keys.queue(target.queue));
      args.push(member, target.payload, target.queue);
    }
    let moved = 0;
    if (queueKeys.length > 0 && this.staged) moved = await this.staged.promote(set, now, args);
    else if (queueKeys.length > 0) {
      moved = await redis.sidepunchPromote(
        2 + queueKeys.length,
        set,
        keys.queues,
        ...queueKeys,
        String(now),
        ...args,
      );
    }
    if (unreadable.length > 0) await this.bury(set, unreadable, now);
    // Jobs kept in the set would come back in the next batch: wait for the next poll instead.
    return { moved, full: read === BATCH && kept === 0 };
  }

  /**
   * Up to BATCH due members. ioredis decodes them as UTF-8, with U+FFFD for bytes that are not: such a member,
   * matched by its decoding, would never leave its set. When one may be there, the batch is read again as bytes,
   * and the members that are not UTF-8 come back apart, exact.
   */
  private async readDue(set: string, now: number): Promise<{ due: string[]; notUtf8: Buffer[] }> {
    const { redis } = this.ctx;
    const due = await redis.zrangebyscore(set, '-inf', now, 'LIMIT', 0, BATCH);
    if (!due.some(mayHaveLostBytes)) return { due, notUtf8: [] };
    const exact = await redis.zrangebyscoreBuffer(set, '-inf', now, 'LIMIT', 0, BATCH);
    return {
      due: exact.filter((member) => isUtf8(member)).map((member) => member.toString()),
      notUtf8: exact.filter((member) => !isUtf8(member)),
    };
  }

  /** The due job through the client chain; 'kept' (in its set, for the next poll) when a middleware threw. */
  private async throughMiddleware(
    member: string,
    queue: string,
    now: number,
    origin: 'schedule' | 'retry',
  ): Promise<StoredRepush | 'kept'> {
    try {
      return await repushThroughMiddleware(
        patchJob(member, { enqueued_at: now }),
        queue,
        this.ctx.redis,
        origin,
      );
    } catch (error) {
      this.ctx.logger.warn(
        `client middleware threw on a due job, kept for the next poll: ${describeError(error)}`,
      );
      return 'kept';
    }
  }

  private async bury(
    set: string,
    members: { member: string | Buffer; reason: string }[],
    now: number,
  ): Promise<void> {
    const batch = new SlotBatch(this.ctx.redis);
    for (const { member, reason } of members) {
      this.ctx.logger.error(`cannot enqueue a member of "${set}": ${reason}; moved to the dead set`);
      addToDeadSet(batch, this.ctx.keys, member, now, {
        errorClass: 'Sidepunch::InvalidPayload',
        message: reason,
      });
    }
    trimDeadSet(batch, this.ctx.keys, now);
    batch.nextStep(); // cluster mode: out of the set only once in the dead set
    for (const { member } of members) batch.on(set).zrem(set, member);
    await batch.exec();
  }
}

/** Why a member whose bytes are not UTF-8 cannot go to a queue: the offset of its first bad byte. */
function unperformableReason(member: Buffer): string {
  const parsed = parseJob(member.toString(), member);
  return parsed.ok ? 'payload is not valid UTF-8' : parsed.reason;
}
