/**
 * Jobs stored outside queues and sets until an event pushes them, for the in-flight check (in-flight.ts):
 *  1. a live batch's callbacks (`cb_<event>` of its hash, docs/batches.md) whose event has not fired yet, found
 *     through the batches index;
 *  2. workflow parents still waiting for their children (`payload` of their hash, docs/workflows.md), found through
 *     the workflows index and each workflow's node states.
 * Both hold the payload without its closing brace (the script that pushes it adds fields): each is given whole.
 */
import type { ApiConnection } from './api-connection.js';

const PAGE = 500;
const BATCH_EVENTS = ['complete', 'success', 'death'] as const;

export type HeldBackPlace = 'batch-callback' | 'workflow-parent';

export async function readHeldBackJobs(
  connection: ApiConnection,
  each: (value: string, place: HeldBackPlace) => void,
): Promise<void> {
  await readBatchCallbacks(connection, (value) => each(value, 'batch-callback'));
  await readWaitingParents(connection, (value) => each(value, 'workflow-parent'));
}

async function readBatchCallbacks(connection: ApiConnection, each: (value: string) => void): Promise<void> {
  const { redis, keys } = connection;
  for (let start = 0; ; start += PAGE) {
    const bids = await redis.zrange(keys.batches, start, start + PAGE - 1);
    const batches = await Promise.all(bids.map((bid) => redis.hgetall(keys.batch(bid))));
    for (const batch of batches) {
      for (const event of BATCH_EVENTS) {
        const callback = batch[`cb_${event}`];
        // Fired: the callback job went to its queue, where it is read.
        if (callback !== undefined && batch[`${event}_at`] === undefined) each(`${callback}}`);
      }
    }
    if (bids.length < PAGE) return;
  }
}

async function readWaitingParents(connection: ApiConnection, each: (value: string) => void): Promise<void> {
  const { redis, keys } = connection;
  for (let start = 0; ; start += PAGE) {
    const roots = await redis.zrange(keys.flows, start, start + PAGE - 1);
    for (const root of roots) {
      const waiting = await waitingNodes(connection, root);
      const parents = await Promise.all(
        waiting.map((jid) => redis.hmget(keys.flow(jid), 'payload', 'pending')),
      );
      for (const [payload, pending] of parents) {
        // Pushed (0) or failed by a child's death (-1) since the states were read: not waiting any more.
        if (payload !== null && Number(pending) > 0) each(`${payload}}`);
      }
    }
    if (roots.length < PAGE) return;
  }
}

/** The jids of a workflow's nodes in the state `waiting`: its parents whose children have not all succeeded. */
async function waitingNodes(connection: ApiConnection, root: string): Promise<string[]> {
  const { redis, keys } = connection;
  const waiting: string[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(keys.flowState(root), cursor, 'COUNT', PAGE);
    for (let i = 0; i < flat.length; i += 2) if (flat[i + 1] === 'waiting') waiting.push(flat[i]!);
    cursor = next;
  } while (cursor !== '0');
  return waiting;
}
