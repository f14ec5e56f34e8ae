/**
 * One tick of one periodic entry → its job, shaped as the client shapes a push of the entry's stub (the worker's
 * options, then the entry's queue; a unique job's lock) and carrying `periodic: { name, tick }`.
 *  1. Without client middleware: periodic-enqueue.lua claims the tick and pushes the job in one step.
 *  2. With it: the claim holds the job as pending under this process's identity; only the process that won the
 *     tick runs the chain, once, then periodic-push.lua pushes what it left (or nothing, if it stopped the push).
 *  3. A job a claimer left pending (it died in between) is pushed by another process once the claimer's heartbeat
 *     is gone (pushStranded), through that process's chain, and still once.
 */
import { type PeriodicEntry, periodicJob } from '../core/periodic.js';
import { describeError } from '../core/thrown-value.js';
import { uniqueFieldsOf } from '../core/unique.js';
import { hasClientMiddleware, repushThroughMiddleware } from '../middleware/stored-repush.js';
import type { RuntimeContext } from './actor-context.js';

/** periodic-enqueue.lua's replies. */
export const PeriodicClaim = {
  Pushed: 1,
  Held: 2,
  Duplicate: 3,
  Taken: 0,
  NotCurrent: -1,
  Paused: -2,
} as const;
export type PeriodicClaimResult = (typeof PeriodicClaim)[keyof typeof PeriodicClaim];

/** periodic-push.lua's replies. */
export const PeriodicPush = { Pushed: 1, NotPending: 0, Stopped: -3, Duplicate: 3 } as const;
export type PeriodicPushResult = (typeof PeriodicPush)[keyof typeof PeriodicPush];

/** What became of a tick this process tried: its claim's reply, then the push's when the job was held. */
export interface TickOutcome {
  readonly result: PeriodicClaimResult | PeriodicPushResult;
  readonly jid: string;
  readonly pushed: boolean;
}

/** Claims `tick` for a job with `jid`. */
export async function claimTick(
  ctx: RuntimeContext,
  entry: PeriodicEntry,
  definition: string,
  tick: number,
  jid: string,
): Promise<TickOutcome> {
  const { redis, keys, clock, identity } = ctx;
  const now = clock.now() / 1000;
  const payload = periodicJob(entry, tick, jid, now);
  const queue = entry.options.queue ?? 'default';
  const hold = hasClientMiddleware();
  const lock = uniqueLockOf(JSON.parse(payload));
  const result = (await redis.sidepunchPeriodicEnqueue(
    keys.periodic,
    keys.periodicState(entry.name),
    keys.queues,
    keys.queue(queue),
    keys.uniqueLock(lock.digest),
    entry.name,
    definition,
    tick,
    payload,
    jid,
    queue,
    now,
    lock.ms,
    hold ? identity : '',
  )) as PeriodicClaimResult;
  if (result !== PeriodicClaim.Held) return { result, jid, pushed: result === PeriodicClaim.Pushed };
  return pushHeld(ctx, entry, jid, payload);
}

/** Runs the client chain on a held job, then pushes what it left, if it is still pending under `claimedJid`. */
export async function pushHeld(
  ctx: RuntimeContext,
  entry: PeriodicEntry,
  claimedJid: string,
  held: string,
): Promise<TickOutcome> {
  const { redis, keys } = ctx;
  // A middleware that throws or leaves a bad queue stops the push, as one that returns without `next` does: the
  // tick stays used up, and the job is not left pending for another process to push through the same chain.
  const heldJob = JSON.parse(held) as HeldFields;
  const heldQueue = typeof heldJob.queue === 'string' && heldJob.queue !== '' ? heldJob.queue : 'default';
  const through = await repushThroughMiddleware(held, heldQueue, redis, 'periodic').catch(
    (error: unknown) => ({
      reason: describeError(error),
    }),
  );
  const failure = 'reason' in through ? through.reason : undefined;
  const { payload, queue } = 'reason' in through ? { payload: '', queue: heldQueue } : through;
  const pushed = payload === '' ? undefined : (JSON.parse(payload) as Record<string, unknown>);
  const pushedJid = typeof pushed?.jid === 'string' ? pushed.jid : claimedJid;
  // The lock is what the job leaves the chain as: a middleware may have taken it out of uniqueness, or into it.
  const lock = pushed ? uniqueLockOf(pushed) : NO_LOCK;
  const result = (await redis.sidepunchPeriodicPush(
    keys.periodicState(entry.name),
    keys.queues,
    keys.queue(queue),
    keys.uniqueLock(lock.digest),
    claimedJid,
    payload,
    queue,
    lock.ms,
    pushedJid,
    typeof heldJob.periodic?.tick === 'number' ? heldJob.periodic.tick : -1,
  )) as PeriodicPushResult;
  if (failure !== undefined) throw new Error(`periodic entry "${entry.name}": ${failure}`);
  return { result, jid: pushedJid, pushed: result === PeriodicPush.Pushed };
}

/** What pushHeld reads of the job it holds. */
interface HeldFields {
  readonly queue?: unknown;
  readonly periodic?: { readonly tick?: unknown };
}

const NO_LOCK = { digest: '', ms: '' } as const;

/** A job's unique lock: its digest and milliseconds to live, from its wire fields; none ('') when it is not unique. */
function uniqueLockOf(job: Readonly<Record<string, unknown>>): { digest: string; ms: number | '' } {
  const fields = uniqueFieldsOf(job);
  return fields && fields.unique_digest !== ''
    ? { digest: fields.unique_digest, ms: Math.ceil(fields.unique_for * 1000) }
    : NO_LOCK;
}
