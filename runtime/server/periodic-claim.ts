/**
 * One tick of one periodic entry → its job, claimed and pushed by periodic-enqueue.lua in one step. The job is
 * built as the client builds one (the worker's options, then the entry's queue), carries `periodic: { name, tick }`
 * so it knows which run it is, and goes through client middleware like a scheduled job does.
 */
import { newJid } from '../core/job.js';
import { type PeriodicEntry, periodicJob } from '../core/periodic.js';
import { hasClientMiddleware, repushThroughMiddleware } from '../middleware/stored-repush.js';
import type { RuntimeContext } from './actor-context.js';

/** periodic-enqueue.lua's replies. */
export const PeriodicClaim = { Pushed: 1, Taken: 0, NotCurrent: -1, Paused: -2 } as const;
export type PeriodicClaimResult = (typeof PeriodicClaim)[keyof typeof PeriodicClaim];

export async function claimTick(
  ctx: RuntimeContext,
  entry: PeriodicEntry,
  definition: string,
  tick: number,
): Promise<{ result: PeriodicClaimResult; jid: string }> {
  const { redis, keys, clock } = ctx;
  const now = clock.now() / 1000;
  const jid = newJid();
  let payload = periodicJob(entry, tick, jid, now);
  let queue = entry.options.queue ?? 'default';
  if (hasClientMiddleware()) {
    const through = await repushThroughMiddleware(payload, queue, redis, 'periodic');
    if ('reason' in through) throw new Error(`periodic entry "${entry.name}": ${through.reason}`);
    ({ payload, queue } = through);
  }
  const result = (await redis.sidepunchPeriodicEnqueue(
    keys.periodic,
    keys.periodicState(entry.name),
    keys.queues,
    keys.queue(queue),
    entry.name,
    definition,
    tick,
    payload,
    jid,
    queue,
    now,
  )) as PeriodicClaimResult;
  return { result, jid };
}
