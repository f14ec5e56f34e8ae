/**
 * Saving unique jobs: each job's lock is taken and the job pushed in one script call (unique-push.lua), all of a
 * push's jobs in one round trip; a job whose lock another job holds is not pushed, and its push says so.
 */

import type { Keys } from '../redis/keys.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { withScripts } from '../redis/scripts.js';
import type { PreparedJobs } from './client.js';

/** What became of one pushed job. */
export type PushOutcome =
  /** Enqueued (or scheduled): a new job. */
  | { readonly pushed: true; readonly jid: string }
  /** A debounced job that took the place of the one still waiting (`replaced`, its jid); it runs at `at`. */
  | { readonly pushed: true; readonly jid: string; readonly replaced: string; readonly at: number }
  /** A unique job whose lock another pending job holds: nothing was saved. */
  | { readonly pushed: false; readonly reason: 'duplicate'; readonly heldBy: string }
  /** A debounced job (`keep: 'first'`): the job still waiting (`pending`) kept its arguments; it runs at `at`. */
  | { readonly pushed: false; readonly reason: 'kept'; readonly pending: string; readonly at: number }
  /** A client middleware stopped it. */
  | { readonly pushed: false; readonly reason: 'stopped' };

/** Pushes the prepared unique jobs; fills `prepared.unique.dropped` and clears the jids of the dropped ones. */
export async function writeUnique(
  redis: RedisConnection,
  keys: Keys,
  prepared: PreparedJobs,
  now: number,
): Promise<void> {
  const unique = prepared.unique!;
  const lockMs = Math.ceil(unique.rule.forSeconds * 1000);
  const index = new Map<string, number>();
  prepared.jids.forEach((jid, i) => {
    if (jid !== undefined) index.set(jid, i);
  });
  const jobs: { payload: string; queue: string; at?: number }[] = [];
  for (const [queue, payloads] of prepared.queued)
    for (const payload of payloads) jobs.push({ payload, queue });
  for (const [at, payload] of prepared.scheduled) jobs.push({ payload, queue: '', at });
  const scripted = withScripts(redis);
  const pipeline = scripted.pipeline();
  for (const { payload, queue, at } of jobs) {
    const digest = unique.digests.get(payload)!;
    const destination = at === undefined ? keys.queue(queue) : keys.schedule;
    const ms = at === undefined ? lockMs : lockMs + Math.max(0, Math.ceil((at - now) * 1000));
    const jid = jidOf(payload);
    pipeline.sidepunchUniquePush(
      keys.uniqueLock(digest),
      keys.queues,
      destination,
      jid,
      ms,
      queue,
      at === undefined ? '' : String(at),
      payload,
    );
  }
  const results = await pipeline.exec();
  if (!results) throw new Error('no reply');
  results.forEach(([error, reply], i) => {
    if (error) throw error;
    if (reply === 1) return;
    const position = index.get(jidOf(jobs[i]!.payload));
    if (position === undefined) return;
    unique.dropped.set(position, String(reply));
    prepared.jids[position] = undefined;
  });
}

/** Each job's outcome, in push order. */
export function pushOutcomes(prepared: PreparedJobs): PushOutcome[] {
  return prepared.jids.map((jid, i): PushOutcome => {
    const debounced = prepared.debounce?.results.get(i);
    if (debounced?.kind === 'kept')
      return { pushed: false, reason: 'kept', pending: debounced.pending, at: debounced.at };
    if (jid !== undefined && debounced?.kind === 'replaced')
      return { pushed: true, jid, replaced: debounced.replaced, at: debounced.at };
    if (jid !== undefined) return { pushed: true, jid };
    const heldBy = prepared.unique?.dropped.get(i);
    return heldBy !== undefined
      ? { pushed: false, reason: 'duplicate', heldBy }
      : { pushed: false, reason: 'stopped' };
  });
}

function jidOf(payload: string): string {
  return (JSON.parse(payload) as { jid: string }).jid;
}
