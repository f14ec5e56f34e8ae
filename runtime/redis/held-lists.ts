/**
 * The lists in which a process holds jobs it has taken, found through the queues each process records
 * (`sidepunch:process-queues`, written by the heartbeat). The rescuer gives them back when the process dies
 * (rescuer.ts) and a deploy's in-flight check reads them (in-flight.ts): both take them from here, so the check
 * reads every job a rescue could put back on a queue.
 */
import type { Keys } from './keys.js';
import type { RedisConnection } from './redis-connection.js';

/** One queue's lists of one process. */
export interface QueueHeldLists {
  readonly queue: string;
  /** The suspect it was running alone (suspects.ts). */
  readonly alone: string;
  /** The suspect it claimed and had not started. */
  readonly claimed: string;
  /** What its fetch took and it had not acknowledged. */
  readonly inProgress: string;
}

export interface HeldLists {
  readonly identity: string;
  readonly queues: readonly QueueHeldLists[];
  /** Cluster mode only: due jobs it took from `schedule` or `retry` and had not yet put on their queues. */
  readonly promoting: readonly { readonly set: 'schedule' | 'retry'; readonly list: string }[];
}

export function heldLists(keys: Keys, identity: string, queues: readonly string[]): HeldLists {
  return {
    identity,
    queues: queues.map((queue) => ({
      queue,
      alone: keys.suspectAlone(identity, queue),
      claimed: keys.suspectClaimed(identity, queue),
      inProgress: keys.inProgress(identity, queue),
    })),
    promoting: [
      { set: 'schedule', list: keys.promoting(keys.schedule, identity) },
      { set: 'retry', list: keys.promoting(keys.retry, identity) },
    ],
  };
}

/** Process identity → the queues it recorded; a process stays recorded until a rescue has emptied its lists. */
export async function recordedQueues(redis: RedisConnection, keys: Keys): Promise<Map<string, string[]>> {
  const recorded = await redis.hgetall(keys.processQueues);
  return new Map(Object.entries(recorded).map(([identity, json]) => [identity, parseQueues(json)]));
}

function parseQueues(json: string): string[] {
  try {
    const queues = JSON.parse(json);
    return Array.isArray(queues) ? queues.filter((queue): queue is string => typeof queue === 'string') : [];
  } catch {
    return [];
  }
}
