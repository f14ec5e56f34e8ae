/**
 * The in-flight check of a deploy (docs/deploys.md): which jobs already stored would the registry about to run
 * reject, and which must it upgrade (runtime/core/upgrade.ts)? Reads, and changes nothing:
 *  1. every queue in `queues`, and `default` and the registry's declared queues (the runtime works them), the
 *     schedule and retry sets, the suspect lists, and every list a rescue could give back (held-lists.ts: those
 *     of every process that recorded its queues, even one pruned from `processes` after a crash), and the jobs
 *     batches and workflows hold back (held-back-jobs.ts), a page at a time;
 *  2. checks each job's arguments as the executor will (upgrade steps run on copies; nothing is written);
 *  3. groups the jobs that do not simply fit by class, verdict, the generation their arguments have and the
 *     reason, with where they are and a few jids.
 * Jobs of classes the registry lacks (a worker removed, or renamed) are grouped by class with the verdict
 * `unknown`: the registry would reject them too, unless another process of a mixed fleet (Ruby Sidekiq, another
 * app on the same Redis) runs them, which only the caller knows (`sidepunch-run check --allow-unknown-classes`).
 */
import { declaredQueues, lookupWorker, type Registry } from '../core/registry.js';
import { checkArgs, describeRejection } from '../core/upgrade.js';
import { heldLists, recordedQueues } from '../redis/held-lists.js';
import type { ApiConnection } from './api-connection.js';
import { readHeldBackJobs } from './held-back-jobs.js';
import { scanSetMembers } from './paging.js';

export interface InFlightGroup {
  readonly className: string;
  readonly verdict: 'upgrade' | 'reject' | 'unknown';
  /** The old generation the arguments fit, when one does. */
  readonly generation?: number;
  /** Why they are rejected, or which step upgrades them. */
  readonly reason: string;
  readonly count: number;
  /**
   * How many are in each place: `queue:default`, `schedule`, `retry`, `in-progress:default` (a process's lists or
   * the suspects of `default`), `promoting:retry` (a cluster's move to a queue, half done), `batch-callback` (a
   * live batch's callback whose event has not fired), `workflow-parent` (a parent waiting for its children).
   */
  readonly where: Readonly<Record<string, number>>;
  /** The first few jids, to look them up. */
  readonly jids: readonly string[];
}

export interface InFlightReport {
  /** Jobs read. */
  readonly checked: number;
  readonly fit: number;
  readonly upgrade: number;
  readonly reject: number;
  /** Jobs whose class the registry does not have (or that are not jobs at all). */
  readonly unknown: number;
  readonly groups: readonly InFlightGroup[];
}

const PAGE = 500;
const JIDS_SHOWN = 5;

export async function checkInFlight(connection: ApiConnection, registry: Registry): Promise<InFlightReport> {
  const { redis, keys } = connection;
  const counts = { checked: 0, fit: 0, upgrade: 0, reject: 0, unknown: 0 };
  type Group = Pick<InFlightGroup, 'className' | 'verdict' | 'generation' | 'reason'>;
  const groups = new Map<
    string,
    { group: Group; count: number; where: Record<string, number>; jids: string[] }
  >();
  const check = (value: string, place: string) => {
    counts.checked++;
    const job = parseJob(value);
    const workerClass = job && lookupWorker(registry, job.className);
    const verdict =
      job && workerClass ? checkArgs(registry, workerClass, job.className, job.args) : undefined;
    if (verdict?.kind === 'fits') {
      counts.fit++;
      return;
    }
    const group: Group =
      !verdict || !job
        ? {
            className: job?.className ?? '(not a job)',
            verdict: 'unknown' as const,
            reason: job
              ? 'this registry has no worker of this class'
              : 'not a JSON job with a class and args',
          }
        : verdict.kind === 'upgraded'
          ? {
              className: job.className,
              verdict: 'upgrade' as const,
              generation: verdict.from,
              reason: `fits generation ${verdict.from}: upgraded step by step`,
            }
          : {
              className: job.className,
              verdict: 'reject' as const,
              ...(verdict.generation !== undefined ? { generation: verdict.generation } : {}),
              reason: describeRejection(verdict),
            };
    counts[group.verdict]++;
    const key = JSON.stringify([group.className, group.verdict, group.generation ?? 0, group.reason]);
    const jid = job?.jid;
    const entry = groups.get(key) ?? {
      group,
      count: 0,
      where: {} as Record<string, number>,
      jids: [] as string[],
    };
    entry.count++;
    entry.where[place] = (entry.where[place] ?? 0) + 1;
    if (entry.jids.length < JIDS_SHOWN && jid) entry.jids.push(jid);
    groups.set(key, entry);
  };

  // `default` and the declared queues too: the runtime works them whether or not `queues` names them (a job written
  // there by hand, or by a client that skipped the SADD).
  const queues = [
    ...new Set([...(await scanSetMembers(redis, keys.queues)), 'default', ...declaredQueues(registry)]),
  ].sort();
  for (const queue of queues)
    await readList(connection, keys.queue(queue), (value) => check(value, `queue:${queue}`));
  for (const [name, key] of [
    ['schedule', keys.schedule],
    ['retry', keys.retry],
  ] as const) {
    for (let start = 0; ; start += PAGE) {
      const values = await redis.zrange(key, start, start + PAGE - 1);
      for (const value of values) check(value, name);
      if (values.length < PAGE) break;
    }
  }
  // Every list a rescue could put back on a queue (held-lists.ts): those of processes still recorded, pruned from
  // `processes` or not, and of registered processes without a record (their lists of every queue).
  const recorded = await recordedQueues(redis, keys);
  for (const identity of await scanSetMembers(redis, keys.processes))
    if (!recorded.has(identity)) recorded.set(identity, queues);
  const suspectQueues = new Set(queues);
  for (const identity of [...recorded.keys()].sort()) {
    const held = heldLists(keys, identity, recorded.get(identity) ?? []);
    for (const { queue, alone, claimed, inProgress } of held.queues) {
      suspectQueues.add(queue);
      for (const list of [alone, claimed, inProgress])
        await readList(connection, list, (value) => check(value, `in-progress:${queue}`));
    }
    for (const { set, list } of held.promoting)
      await readList(connection, list, (value) => check(value, `promoting:${set}`));
  }
  for (const queue of [...suspectQueues].sort())
    await readList(connection, keys.suspects(queue), (value) => check(value, `in-progress:${queue}`));
  await readHeldBackJobs(connection, check);
  const sorted = [...groups.values()]
    .map(({ group, count, where, jids }) => ({ ...group, count, where, jids }))
    .sort(
      (a, b) =>
        a.className.localeCompare(b.className) ||
        a.verdict.localeCompare(b.verdict) ||
        (a.generation ?? 0) - (b.generation ?? 0) ||
        a.reason.localeCompare(b.reason),
    );
  return { ...counts, groups: sorted };
}

async function readList(
  connection: ApiConnection,
  key: string,
  each: (value: string) => void,
): Promise<void> {
  for (let start = 0; ; start += PAGE) {
    const values = await connection.redis.lrange(key, start, start + PAGE - 1);
    for (const value of values) each(value);
    if (values.length < PAGE) return;
  }
}

function parseJob(value: string): { className: string; args: unknown[]; jid?: string } | undefined {
  let item: unknown;
  try {
    item = JSON.parse(value);
  } catch {
    return undefined;
  }
  const job = item as { class?: unknown; args?: unknown; jid?: unknown } | null;
  if (!job || typeof job !== 'object' || typeof job.class !== 'string' || !Array.isArray(job.args))
    return undefined;
  return {
    className: job.class,
    args: job.args,
    ...(typeof job.jid === 'string' ? { jid: job.jid } : {}),
  };
}
