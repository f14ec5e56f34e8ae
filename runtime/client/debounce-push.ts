/**
 * Saving debounced jobs: each job goes through one script call (debounce-push.lua) that schedules it or folds it
 * into the job of its digest still waiting in the schedule set; all of a push's jobs in one round trip.
 */

import type { Keys } from '../redis/keys.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { withScripts } from '../redis/scripts.js';
import type { PreparedJobs } from './client.js';

/**
 * How long the debounce key outlives its job's time. A job no process has moved to its queue by then (none
 * running) is still run once they start, but a push after that schedules a second one beside it.
 */
export const DEBOUNCE_KEY_MARGIN_MS = 3_600_000;

/** What a debounced push did to the pending job, by push index; filled by writeDebounced. */
export type DebounceResult =
  | { readonly kind: 'replaced'; readonly replaced: string; readonly at: number }
  | { readonly kind: 'kept'; readonly pending: string; readonly at: number };

/** Pushes the prepared debounced jobs; fills `prepared.debounce.results` and clears the jids of the kept ones. */
export async function writeDebounced(
  redis: RedisConnection,
  keys: Keys,
  prepared: PreparedJobs,
  now: number,
): Promise<void> {
  const debounce = prepared.debounce!;
  const { rule } = debounce;
  const index = new Map<string, number>();
  prepared.jids.forEach((jid, i) => {
    if (jid !== undefined) index.set(jid, i);
  });
  const pipeline = withScripts(redis).pipeline();
  for (const [at, payload] of prepared.scheduled) {
    pipeline.sidepunchDebouncePush(
      keys.debounce(debounce.digests.get(payload)!),
      keys.schedule,
      payload,
      String(at),
      rule.keep,
      rule.extend ? '1' : '0',
      String(now),
      DEBOUNCE_KEY_MARGIN_MS,
    );
  }
  const replies = await pipeline.exec();
  if (!replies) throw new Error('no reply');
  replies.forEach(([error, reply], i) => {
    if (error) throw error;
    const [code, pending, at] = reply as [number, string, string];
    const position = index.get(jidOf(prepared.scheduled[i]![1]));
    if (code === 1 || position === undefined) return;
    if (code === 2)
      debounce.results.set(position, { kind: 'replaced', replaced: jidOf(pending), at: Number(at) });
    else {
      debounce.results.set(position, { kind: 'kept', pending: jidOf(pending), at: Number(at) });
      prepared.jids[position] = undefined;
    }
  });
}

function jidOf(payload: string): string {
  return (JSON.parse(payload) as { jid: string }).jid;
}
