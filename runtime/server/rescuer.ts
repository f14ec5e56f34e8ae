/**
 * Rescuer: finds processes that died without cleaning up and gives their jobs back.
 *  1. every process records the queues it fetches from (the heartbeat does); a process whose heartbeat hash has
 *     expired is dead, and so is one that ran on this host and whose OS process is provably gone (host-process.ts),
 *     so a worker restarted after a kill -9 gives its predecessor's jobs back at its start, not a TTL later;
 *  2. if it died running a suspect alone (see suspects.ts), that job is the culprit: rescue.lua counts its crash
 *     alone and returns it to the suspects list, and everything else it held goes back to its queue uncounted
 *     (none of it was running); past the allowed crashes alone, it is a poison pill: the dead set;
 *  3. otherwise rescue.lua moves each in-progress list back to the front of its queue, counting every job as near
 *     a crash, and a job near a second crash becomes a suspect — at least once, never zero times (a job that was
 *     running twice is run again: the price of never losing one). Only crashes alone count toward the dead set:
 *     a poison pill dies after exactly `maxRescues + 1` crashes, and jobs merely taken beside it never do.
 *  4. in cluster mode, it also finishes the dead process's half-done moves from `schedule` and `retry`.
 */

import { addToDeadSet, trimDeadSet } from '../core/add-to-dead-set.js';
import { patchJob } from '../core/job-patch.js';
import { describeError } from '../core/thrown-value.js';
import { type HeldLists, heldLists, recordedQueues } from '../redis/held-lists.js';
import { isCluster } from '../redis/redis-connection.js';
import { SlotBatch } from '../redis/slot-batch.js';
import type { RuntimeContext } from './actor-context.js';
import { HOST_PROCESS_FIELD, isGone, parseHostProcess } from './host-process.js';
import { RescueLock } from './rescue-lock.js';
import { StagedPromoter } from './staged-promote.js';

/** A rescue counter outlives any plausible crash loop, then goes. */
const RESCUE_COUNTER_TTL_SECONDS = 7 * 24 * 60 * 60;
const POISON_CLASS = 'Sidepunch::ProcessCrashed';
/**
 * A job in progress in two processes that died has been near two crashes: it runs alone from then on (from the
 * first rescue when only one is allowed).
 */
function suspectFromRescue(maxRescues: number): number {
  return Math.max(1, Math.min(2, maxRescues));
}

/**
 * Only crashes while running alone count toward the dead set; a poison pill, which crashes every process that runs
 * it, is near `suspectFromRescue` crashes first, so it dies after exactly `maxRescues + 1` crashes.
 */
function survivableAloneCrashes(maxRescues: number): number {
  return maxRescues - suspectFromRescue(maxRescues);
}

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
    let rescued = 0;
    for (const [other, queues] of await recordedQueues(redis, keys)) {
      if (other === identity || (await this.isAlive(other))) continue;
      const lock = new RescueLock(this.ctx, other);
      if (!(await lock.acquire()) && !(await this.takeOverFromDead(lock))) continue;
      try {
        rescued += await this.rescue(heldLists(keys, other, queues));
      } catch (error) {
        this.ctx.logger.warn(`could not rescue the jobs of dead process ${other}: ${describeError(error)}`);
      } finally {
        await lock.release().catch(() => {});
      }
    }
    return rescued;
  }

  /** A rescuer that died half-way (e.g. in a crash loop) need not hold up the rest until its lock expires. */
  private async takeOverFromDead(lock: RescueLock): Promise<boolean> {
    const holder = await lock.holder();
    if (holder === null || holder === this.ctx.identity || (await this.isAlive(holder))) return false;
    return lock.takeOver(holder);
  }

  /** Alive while its heartbeat lasts, unless it ran on this host and its OS process is provably gone. */
  private async isAlive(other: string): Promise<boolean> {
    const { redis, keys, logger } = this.ctx;
    const [info, recorded] = await redis.hmget(keys.process(other), 'info', HOST_PROCESS_FIELD);
    if (!info) return false;
    const hostProcess = recorded ? parseHostProcess(recorded) : undefined;
    if (!hostProcess || !isGone(hostProcess)) return true;
    logger.warn(
      `process ${other} is gone (pid ${hostProcess.pid} no longer runs on this host): rescuing its jobs now`,
    );
    return false;
  }

  private async rescue(held: HeldLists): Promise<number> {
    const { redis, keys, logger } = this.ctx;
    const dead = held.identity;
    let rescued = 0;
    let diedAlone = false;
    for (const { queue, alone, claimed } of held.queues) {
      if ((await redis.llen(alone)) > 0) {
        diedAlone = true;
        rescued += await this.rescueList(dead, queue, alone, 'alone');
      }
      // Claimed, never started: back to the suspects, uncounted.
      rescued += await redis.sidepunchRequeue(claimed, keys.suspects(queue));
    }
    for (const { queue, inProgress } of held.queues) {
      rescued += diedAlone
        ? await redis.sidepunchRequeue(inProgress, keys.queue(queue))
        : await this.rescueList(dead, queue, inProgress, 'shared');
    }
    if (this.staged) {
      for (const { list } of held.promoting) rescued += await this.staged.finish(list);
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

  /** Runs rescue.lua on one list of the dead process; buries its poison pills; how many went back. */
  private async rescueList(
    dead: string,
    queue: string,
    list: string,
    mode: 'shared' | 'alone',
  ): Promise<number> {
    const { redis, keys, config } = this.ctx;
    const before = await redis.llen(list);
    if (before === 0) return 0;
    const poison = await redis.sidepunchRescue(
      list,
      keys.queue(queue),
      keys.suspects(queue),
      mode,
      survivableAloneCrashes(config.maxRescues),
      keys.rescueCountPrefix(queue),
      keys.aloneCrashCountPrefix(queue),
      RESCUE_COUNTER_TTL_SECONDS,
      suspectFromRescue(config.maxRescues),
    );
    if (poison.length > 0) await this.bury(list, poison, dead);
    return before - poison.length;
  }

  private async bury(list: string, poison: readonly string[], dead: string): Promise<void> {
    const { redis, keys, clock, config, logger } = this.ctx;
    const now = clock.now() / 1000;
    const message = `its process died while running it alone, after more than ${config.maxRescues} rescue(s) (last: ${dead})`;
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
    // In the dead set before out of the list: a crash in between leaves it in both, not in neither.
    batch.nextStep();
    for (const raw of poison) batch.on(list).lrem(list, -1, raw);
    await batch.exec();
    logger.error(`moved ${poison.length} poison-pill job(s) to the dead set: ${message}`);
  }
}
