/**
 * Rescuer: finds processes that died without cleaning up and gives their jobs back.
 *  1. every process records the queues it fetches from (the heartbeat does); a process whose heartbeat hash has
 *     expired is dead;
 *  2. rescue.lua moves each of its in-progress lists back to the front of the queue — at least once, never zero
 *     times (a job that was running twice is run again: the price of never losing one);
 *  3. a job rescued more than `maxRescues` times keeps killing its processes (a poison pill): it goes to the
 *     dead set instead of looping forever;
 *  4. in cluster mode, it also finishes the dead process's half-done moves from `schedule` and `retry`.
 */
import type { RuntimeContext } from './context.js';
import { addToDeadSet, trimDeadSet } from './dead-set.js';
import { describeError } from './executor.js';
import { patchJob } from './job-patch.js';
import { isCluster } from './redis/connection.js';
import { SlotBatch } from './redis/slot-batch.js';
import { StagedPromoter } from './staged-promote.js';

/** A rescue counter outlives any plausible crash loop, then goes. */
const RESCUE_COUNTER_TTL_SECONDS = 7 * 24 * 60 * 60;
const POISON_CLASS = 'Sidepunch::ProcessCrashed';

export class Rescuer {
  private running?: Promise<number>;
  private readonly staged?: StagedPromoter;

  constructor(private readonly ctx: RuntimeContext) {
    if (isCluster(ctx.redis)) this.staged = new StagedPromoter(ctx);
  }

  /** Rescues the jobs of every dead process; resolves to how many went back to their queues. */
  tick(): Promise<number> {
    this.running ??= this.rescueAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async rescueAll(): Promise<number> {
    const { redis, keys, identity } = this.ctx;
    const recorded = await redis.hgetall(keys.processQueues);
    let rescued = 0;
    for (const [other, queuesJson] of Object.entries(recorded)) {
      if (other === identity || (await redis.exists(keys.process(other))) === 1) continue;
      try {
        rescued += await this.rescue(other, parseQueues(queuesJson));
      } catch (error) {
        this.ctx.logger.warn(`could not rescue the jobs of dead process ${other}: ${describeError(error)}`);
      }
    }
    return rescued;
  }

  private async rescue(dead: string, queues: readonly string[]): Promise<number> {
    const { redis, keys, config, logger } = this.ctx;
    let rescued = 0;
    for (const queue of queues) {
      const inProgress = keys.inProgress(dead, queue);
      const before = await redis.llen(inProgress);
      if (before === 0) continue;
      const poison = await redis.sidepunchRescue(
        inProgress,
        keys.queue(queue),
        config.maxRescues,
        keys.rescueCountPrefix(queue),
        RESCUE_COUNTER_TTL_SECONDS,
      );
      rescued += before - poison.length;
      if (poison.length > 0) await this.bury(inProgress, poison, dead);
    }
    if (this.staged) {
      for (const setKey of [keys.schedule, keys.retry]) {
        rescued += await this.staged.finish(keys.promoting(setKey, dead));
      }
    }
    // Only once every list is empty: a rescuer that died half-way leaves the record for the next one. The dead
    // process also leaves the processes set, as Sidekiq's readers prune it.
    const forget = new SlotBatch(redis);
    forget.on(keys.processQueues).hdel(keys.processQueues, dead);
    forget.on(keys.processes).srem(keys.processes, dead);
    await forget.exec();
    if (rescued > 0) logger.warn(`rescued ${rescued} job(s) left in progress by dead process ${dead}`);
    return rescued;
  }

  private async bury(inProgress: string, poison: readonly string[], dead: string): Promise<void> {
    const { redis, keys, clock, config, logger } = this.ctx;
    const now = clock.now() / 1000;
    const message = `its process died while running it more than ${config.maxRescues} time(s) (last: ${dead})`;
    const batch = new SlotBatch(redis);
    for (const raw of poison) {
      let member = raw;
      let reason: { errorClass: string; message: string } | undefined;
      try {
        member = patchJob(raw, { error_class: POISON_CLASS, error_message: message, failed_at: now });
      } catch {
        reason = { errorClass: POISON_CLASS, message };
      }
      addToDeadSet(batch, keys, member, now, reason);
    }
    trimDeadSet(batch, keys, now);
    // In the dead set before out of the in-progress list: a crash in between leaves it in both, not in neither.
    batch.nextStep();
    for (const raw of poison) batch.on(inProgress).lrem(inProgress, -1, raw);
    await batch.exec();
    logger.error(`moved ${poison.length} poison-pill job(s) to the dead set: ${message}`);
  }
}

function parseQueues(json: string): string[] {
  try {
    const queues = JSON.parse(json);
    return Array.isArray(queues) ? queues.filter((queue): queue is string => typeof queue === 'string') : [];
  } catch {
    return [];
  }
}
