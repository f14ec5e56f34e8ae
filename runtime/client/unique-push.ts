/**
 * Saving unique jobs: each job's lock is taken and the job pushed in one script call (unique-push.lua), all of a
 * push's jobs in one round trip; a job whose lock another job holds is not pushed, and its push says so. On a
 * Redis Cluster, where the lock and the job's list sit in different slots, the locks are taken first (`SET NX`,
 * still one winner among concurrent pushes) and the winners pushed after.
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
  const { unique, index, jobs } = uniqueJobs(prepared, now);
  const scripted = withScripts(redis);
  const pipeline = scripted.pipeline();
  for (const { payload, queue, at, digest, jid, ms } of jobs) {
    const destination = at === undefined ? keys.queue(queue) : keys.schedule;
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
    const position = index.get(jobs[i]!.jid);
    if (position === undefined) return;
    unique.dropped.set(position, String(reply));
    prepared.jids[position] = undefined;
  });
}

/**
 * The cluster variant: each lock with `SET NX PX GET` (its holder's jid when taken), then the jobs whose lock was
 * taken through `writeRest`; if that fails, the locks just taken are released so a retry of the push can win them.
 * A client that dies between the two steps leaves a lock without a job, lapsing after `for`.
 */
export async function writeUniqueOnCluster(
  redis: RedisConnection,
  keys: Keys,
  prepared: PreparedJobs,
  now: number,
  writeRest: (rest: Pick<PreparedJobs, 'queued' | 'scheduled'>) => Promise<void>,
): Promise<void> {
  const { unique, index, jobs } = uniqueJobs(prepared, now);
  const scripted = withScripts(redis);
  const holders = await Promise.all(
    jobs.map(({ digest, jid, ms }) => scripted.set(keys.uniqueLock(digest), jid, 'PX', ms, 'NX', 'GET')),
  );
  const rest: Pick<PreparedJobs, 'queued' | 'scheduled'> = { queued: new Map(), scheduled: [] };
  const taken: { lock: string; jid: string }[] = [];
  jobs.forEach(({ payload, queue, at, digest, jid }, i) => {
    const holder = holders[i];
    if (holder === null || holder === undefined) {
      taken.push({ lock: keys.uniqueLock(digest), jid });
      if (at !== undefined) rest.scheduled.push([at, payload]);
      else rest.queued.set(queue, [...(rest.queued.get(queue) ?? []), payload]);
      return;
    }
    const position = index.get(jid);
    if (position === undefined) return;
    unique.dropped.set(position, holder);
    prepared.jids[position] = undefined;
  });
  try {
    await writeRest(rest);
  } catch (error) {
    await Promise.all(taken.map(({ lock, jid }) => scripted.sidepunchReleaseLock(lock, jid).catch(() => 0)));
    throw error;
  }
}

/** A push's unique jobs in one list (queued, then scheduled), each with its lock's digest and lifetime. */
function uniqueJobs(prepared: PreparedJobs, now: number) {
  const unique = prepared.unique!;
  const lockMs = Math.ceil(unique.rule.forSeconds * 1000);
  const index = new Map<string, number>();
  prepared.jids.forEach((jid, i) => {
    if (jid !== undefined) index.set(jid, i);
  });
  const listed: { payload: string; queue: string; at?: number }[] = [];
  for (const [queue, payloads] of prepared.queued)
    for (const payload of payloads) listed.push({ payload, queue });
  for (const [at, payload] of prepared.scheduled) listed.push({ payload, queue: '', at });
  // A scheduled job's lock also covers its wait.
  const jobs = listed.map((job) => ({
    ...job,
    digest: unique.digests.get(job.payload)!,
    jid: jidOf(job.payload),
    ms: job.at === undefined ? lockMs : lockMs + Math.max(0, Math.ceil((job.at - now) * 1000)),
  }));
  return { unique, index, jobs };
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
