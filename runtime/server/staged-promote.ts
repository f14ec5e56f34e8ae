/**
 * StagedPromoter (cluster mode): the scheduler's move of due jobs from `schedule` or `retry` onto `queue:<q>`
 * crosses hash slots, which no single script may, so it goes in steps that are each atomic in one slot and can be
 * resumed after a crash without losing a job or pushing one twice:
 *  1. stage.lua (the set's slot): due members leave the set for this process's staging list
 *     `sidepunch:promoting:{<set>}:<identity>`, each with its enqueued_at set;
 *  2. per queue: SADD `queues`, then enqueue-once.lua (the queue's slot) pushes each job whose SHA-1 it adds to the
 *     queue's marker set `sidepunch:promoted:{queue:<q>}`, skipping one already there (pushed before a crash);
 *  3. the jobs leave the staging list, then their SHA-1s leave the marker sets.
 * A process resumes its own staging lists at every tick; a rescuer finishes those of a dead process (finish()).
 */
import { createHash } from 'node:crypto';
import type { RuntimeContext } from './actor-context.js';

/** A SHA-1 a crash left in a marker set goes when the set has been idle this long. */
const MARKER_TTL_SECONDS = 7 * 24 * 60 * 60;

export class StagedPromoter {
  constructor(private readonly ctx: RuntimeContext) {}

  /** Step 1 then the rest for `args` (member, payload, queue name triples, as promote.lua takes them); how many moved. */
  async promote(setKey: string, now: number, args: readonly string[]): Promise<number> {
    const { redis, keys, identity } = this.ctx;
    const pairs: string[] = [];
    const stopped: string[] = [];
    for (let i = 0; i < args.length; i += 3) {
      // An empty payload: a client middleware stopped the push, so the member only leaves its set.
      if (args[i + 1] === '') stopped.push(args[i]!);
      else pairs.push(args[i]!, args[i + 1]!);
    }
    if (stopped.length > 0) await redis.zrem(setKey, ...stopped);
    if (pairs.length === 0) return 0;
    const staging = keys.promoting(setKey, identity);
    const staged = await redis.sidepunchStage(setKey, staging, String(now), ...pairs);
    if (staged > 0) await this.finish(staging);
    return staged;
  }

  /** Finishes this process's own moves a failed tick left half done. */
  async resume(): Promise<void> {
    const { keys, identity } = this.ctx;
    for (const setKey of [keys.schedule, keys.retry]) await this.finish(keys.promoting(setKey, identity));
  }

  /** Steps 2 and 3 for whatever a staging list holds; resolves to how many jobs went onto a queue now. */
  async finish(staging: string): Promise<number> {
    const { redis, keys } = this.ctx;
    // Newest first in the list: push oldest first, so the queue keeps their due order.
    const staged = (await redis.lrange(staging, 0, -1)).reverse();
    if (staged.length === 0) return 0;
    const byQueue = new Map<string, string[]>();
    for (const payload of staged) {
      const queue = queueName(payload);
      const payloads = byQueue.get(queue);
      if (payloads) payloads.push(payload);
      else byQueue.set(queue, [payload]);
    }
    const pushed = await Promise.all(
      [...byQueue].map(async ([queue, payloads]) => {
        await redis.sadd(keys.queues, queue);
        return redis.sidepunchEnqueueOnce(
          keys.queue(queue),
          keys.promoted(queue),
          MARKER_TTL_SECONDS,
          ...payloads,
        );
      }),
    );
    await redis.sidepunchAck(staging, ...staged);
    await Promise.all(
      [...byQueue].map(([queue, payloads]) => redis.srem(keys.promoted(queue), ...payloads.map(sha1))),
    );
    return pushed.reduce((sum, count) => sum + count, 0);
  }
}

/** Staged payloads were read as job objects before staging; an unreadable queue cannot occur, but stays put. */
function queueName(payload: string): string {
  const queue = (JSON.parse(payload) as { queue?: unknown }).queue;
  return typeof queue === 'string' && queue !== '' ? queue : 'default';
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
