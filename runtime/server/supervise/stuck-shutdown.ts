/**
 * A `--threads` thread or a `--processes` child that does not stop: a job holding its event loop (synchronous work)
 * keeps it from even hearing TERM, so its own shutdown never starts. Its supervisor stops it instead:
 *  1. stuckAfterMs: -t plus the 3 s a shutdown's writes may take, from TERM, for one that never said it was
 *     stopping; one that did runs its own shutdown, bounded by then plus its hooks' 3 s: it gets that, plus one;
 *  2. endStuck: the supervisor ends it (a thread terminated, a child SIGKILLed: the job is cut mid-run, as -t's
 *     expiry would abandon it), then puts its jobs back at the front of their queues unchanged and takes it out of
 *     the process set, as its own shutdown would have done; what Redis does not confirm within 3 s is left in its
 *     lists for a rescuer, and said.
 */
import { Deadline } from '../../core/deadline.js';
import type { Logger } from '../../core/logger.js';
import { describeError } from '../../core/thrown-value.js';
import { heldLists } from '../../redis/held-lists.js';
import type { Keys } from '../../redis/keys.js';
import type { RedisConnection } from '../../redis/redis-connection.js';
import { SlotBatch } from '../../redis/slot-batch.js';
import type { RuntimeConfig } from '../run-config.js';

const GIVE_BACK_MS = 3000;
const HOOKS_MS = 3000;

export interface StuckContext {
  readonly config: RuntimeConfig;
  readonly redis: RedisConnection;
  readonly keys: Keys;
  readonly logger: Logger;
}

/** Milliseconds after TERM at which one still running is stopped: `saidStopping` when it began its shutdown. */
export function stuckAfterMs(config: RuntimeConfig, saidStopping: boolean): number {
  const started = config.timeoutSeconds * 1000 + GIVE_BACK_MS;
  return saidStopping ? started + HOOKS_MS + 1000 : started;
}

/**
 * Steps 1 and 2 for one that did not stop: says so, ends it (`end`: its termination, resolving once it is gone),
 * then gives its jobs back; resolves true once Redis has them (false: left for a rescuer, or it could not be ended).
 */
export async function endStuck(
  label: string,
  identity: string | undefined,
  end: () => Promise<unknown>,
  context: StuckContext,
): Promise<boolean> {
  const { config, logger } = context;
  logger.warn(
    `${label} did not stop within -t ${config.timeoutSeconds} s + 3 s (a job holds its event loop): stopping it`,
  );
  try {
    await end();
  } catch (error) {
    logger.error(`${label}: could not be stopped: ${String(error)}`);
    return false;
  }
  return giveBackStuck(identity, label, context);
}

/** Once it has ended: its jobs back; resolves true once Redis has them (false: left for a rescuer). */
async function giveBackStuck(
  identity: string | undefined,
  label: string,
  { config, redis, keys, logger }: StuckContext,
): Promise<boolean> {
  if (!identity) return true; // it never got as far as registering: it held no job
  const deadline = new Deadline(GIVE_BACK_MS);
  const given = await deadline.race(giveBack(identity, config, redis, keys));
  if (given.done) {
    logger.warn(`${label}: gave ${given.value} job(s) back to the front of their queues`);
    return true;
  }
  const why = given.error === undefined ? '' : ` (${describeError(given.error)})`;
  logger.error(
    `${label}: could not give its jobs back: they stay in the in-progress list of ${identity} and a rescuer will ` +
      `return them after its heartbeat expires${why}`,
  );
  return false;
}

/** What its shutdown would have done: every held list back to its queue (or the suspects), then out of the set. */
async function giveBack(
  identity: string,
  config: RuntimeConfig,
  redis: RedisConnection,
  keys: Keys,
): Promise<number> {
  let moved = 0;
  for (const held of heldLists(
    keys,
    identity,
    config.queues.map(({ name }) => name),
  ).queues) {
    moved += await redis.sidepunchRequeue(held.inProgress, keys.queue(held.queue));
    await redis.sidepunchRequeue(held.alone, keys.suspects(held.queue));
    await redis.sidepunchRequeue(held.claimed, keys.suspects(held.queue));
  }
  const work = keys.work(identity);
  const batch = new SlotBatch(redis);
  batch.on(keys.processes).srem(keys.processes, identity);
  for (const key of [keys.process(identity), work.workers, work.work]) batch.on(key).unlink(key);
  // Its record in the process queues stays: the next rescue finds it dead and finishes what it may have left
  // half done (a cluster's staged promotion), then forgets it.
  await batch.exec();
  return moved;
}
