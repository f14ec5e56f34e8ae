/**
 * Every Redis key Sidepunch touches is built here. Sidekiq's own names are the wire format; the optional
 * namespace prefixes every key (never a value), as redis-namespace did for Sidekiq 6.
 *
 * In-progress lists carry the queue key as a hash tag, so a queue and its in-progress lists share one
 * Redis Cluster slot and every multi-key script stays within one queue. Keys that exist only in cluster mode carry
 * the tag of the key they work beside (docs/scaling.md). The mode comes from the connection, so no caller can
 * build a cluster's keys without the tags. On a cluster a key whose own name has braces (a queue `{eu}orders`)
 * is tagged by hash-tag.ts, which follows Redis's rule; on one Redis the names stay as they always were.
 */
import { nameBeside } from './hash-tag.js';
import type { RedisConnection } from './redis-connection.js';

export class Keys {
  readonly prefix: string;

  /** The keys on `connection` (a Redis Cluster tags more of them), with the namespace, if any, before each. */
  static for(connection: RedisConnection, namespace?: string): Keys {
    return new Keys(namespace, connection.isCluster);
  }

  private constructor(
    namespace: string | undefined,
    private readonly cluster: boolean,
  ) {
    this.prefix = namespace ? `${namespace}:` : '';
  }

  /** SET of queue names (the values are not prefixed). */
  get queues(): string {
    return `${this.prefix}queues`;
  }

  queue(name: string): string {
    return `${this.prefix}queue:${name}`;
  }

  get schedule(): string {
    return `${this.prefix}schedule`;
  }

  get retry(): string {
    return `${this.prefix}retry`;
  }

  get dead(): string {
    return `${this.prefix}dead`;
  }

  /** HASH: dead member → why it could not be performed, for members that are not JSON objects. */
  get deadReasons(): string {
    return `${this.prefix}sidepunch:dead-reasons`;
  }

  get processes(): string {
    return `${this.prefix}processes`;
  }

  /** HASH, EXPIRE 60: a process's heartbeat (`info`, `busy`, `beat`, `quiet`, `rss`, `rtt_us`, `concurrency`). */
  process(identity: string): string {
    return `${this.prefix}${identity}`;
  }

  /** HASH of running jobs, under Sidekiq 6.4's name (`:workers`) and 6.5+'s (`:work`). */
  work(identity: string): { readonly workers: string; readonly work: string } {
    return { workers: `${this.prefix}${identity}:workers`, work: `${this.prefix}${identity}:work` };
  }

  /** STRING, SET NX EX 60: readers prune dead processes from `processes` at most once a minute (Sidekiq 6.5+). */
  get processCleanup(): string {
    return `${this.prefix}process_cleanup`;
  }

  /** STRING: the leader's identity (Sidekiq Enterprise); read to show it, never written by Sidepunch. */
  get leader(): string {
    return `${this.prefix}dear-leader`;
  }

  /** LIST of signals (`TSTP`, `TERM`, `TTIN`) sent to a process through Redis, e.g. by the Web UI. */
  signals(identity: string): string {
    return `${this.prefix}${identity}-signals`;
  }

  /** HASH: process identity → JSON array of the queues it fetches from, so a rescuer finds its in-progress lists. */
  get processQueues(): string {
    return `${this.prefix}sidepunch:process-queues`;
  }

  /**
   * STRING, SET NX PX: held by the one rescuer giving a dead process's jobs back, so no job is buried twice; only
   * its holder releases it (release-lock.lua).
   */
  rescueLock(deadIdentity: string): string {
    return `${this.prefix}sidepunch:rescuing:${deadIdentity}`;
  }

  /**
   * STRING per job (by SHA-1 of its payload): how often it was rescued from a dead process that held it beside
   * other jobs (near a crash; it decides suspicion only). In cluster mode the counters of a queue's jobs carry its
   * tag, as rescue.lua touches them beside the queue.
   */
  rescueCountPrefix(queue: string): string {
    return this.cluster
      ? nameBeside(`${this.prefix}sidepunch:rescued:`, this.queue(queue), ':')
      : `${this.prefix}sidepunch:rescued:`;
  }

  /** STRING per job, as rescueCountPrefix: how often its process died while running it alone (it decides poison). */
  aloneCrashCountPrefix(queue: string): string {
    return this.cluster
      ? nameBeside(`${this.prefix}sidepunch:crashed-alone:`, this.queue(queue), ':')
      : `${this.prefix}sidepunch:crashed-alone:`;
  }

  /**
   * Cluster mode only: LIST of due jobs a process took from `schedule` or `retry` (`setKey`) and has not yet put on
   * their queues, which live in other slots. Tagged with the set's key, so taking them is one atomic step.
   */
  promoting(setKey: string, identity: string): string {
    return nameBeside(`${this.prefix}sidepunch:promoting:`, setKey, `:${identity}`);
  }

  /** Cluster mode only: SET of SHA-1s of payloads being put on `queue`, so a resumed move never pushes one twice. */
  promoted(queue: string): string {
    return nameBeside(`${this.prefix}sidepunch:promoted:`, this.queue(queue), '');
  }

  /** Jobs a process has taken from `queue` and not yet acknowledged (Sidepunch's reliable fetch). */
  inProgress(identity: string, queue: string): string {
    return queueList(this.cluster, `${this.prefix}sidepunch:in-progress:`, this.queue(queue), `:${identity}`);
  }

  /**
   * Jobs rescued from two dead processes or more, or from one that ran them alone: each runs alone in a process,
   * so that a crash names its culprit (docs/reliability.md).
   */
  suspects(queue: string): string {
    return queueList(this.cluster, `${this.prefix}sidepunch:suspects:`, this.queue(queue), '');
  }

  /** The suspect a process has claimed, to run once its running jobs have finished. */
  suspectClaimed(identity: string, queue: string): string {
    return queueList(
      this.cluster,
      `${this.prefix}sidepunch:suspect-claimed:`,
      this.queue(queue),
      `:${identity}`,
    );
  }

  /** The suspect a process is running alone. */
  suspectAlone(identity: string, queue: string): string {
    return queueList(
      this.cluster,
      `${this.prefix}sidepunch:suspect-alone:`,
      this.queue(queue),
      `:${identity}`,
    );
  }

  /** HASH: periodic entry name → its definition (JSON), as the deploy that wrote it last declares them. */
  get periodic(): string {
    return `${this.prefix}sidepunch:periodic`;
  }

  /** STRING: `{"identity","digest"}` of the process that wrote `periodic` last, so others know when to rewrite it. */
  get periodicWriter(): string {
    return `${this.prefix}sidepunch:periodic-writer`;
  }

  /**
   * HASH per periodic entry: `last_tick` (epoch seconds), `last_jid`, `last_enqueued_at`, `paused`,
   * `paused_through` (the latest tick that passed while it was paused), `pending_job:<jid>` and `pending_by:<jid>`
   * (a job claimed and held for client middleware, and its claimer). Kept across deploys while the entry is
   * declared; removed with it.
   */
  periodicState(name: string): string {
    return `${this.periodicStatePrefix}${name}`;
  }

  /** What periodicState puts before the name (periodic-sync.lua removes a dropped entry's state by it). */
  get periodicStatePrefix(): string {
    return `${this.prefix}sidepunch:periodic:`;
  }

  /**
   * HASH, EXPIRE 8 h (72 h for Sidekiq 8's 10-minute rollup): one minute's execution metrics, `<Class>|p`, `|f`,
   * `|ms`; `bucket` from core/execution-metrics-format.ts (`20261129|9:5` for 7.x, `261129|9:05` for 8.x).
   */
  jobMetrics(bucket: string): string {
    return `${this.prefix}j|${bucket}`;
  }

  /**
   * STRING of 26 u16 BITFIELD counters, EXPIRE 8 h: one class's run-time histogram for one minute, `window` from
   * core/execution-metrics-format.ts; Sidekiq 8 puts `h|` before the class.
   */
  jobHistogram(className: string, window: string, sidekiq8 = false): string {
    return `${this.prefix}${sidekiq8 ? 'h|' : ''}${className}-${window}`;
  }

  /** STRING, SET NX PX: a unique job's lock, holding its jid (docs/unique-and-limits.md). */
  uniqueLock(digest: string): string {
    return `${this.prefix}unique:${digest}`;
  }

  /**
   * STRING, SET PX: a debounced job's pending payload, exactly as it sits in `schedule` (docs/unique-and-limits.md).
   * The pending job is the member only while `schedule` still holds it. In cluster mode it carries the schedule
   * set's tag, as debounce-push.lua touches both.
   */
  debounce(digest: string): string {
    return this.cluster
      ? nameBeside(`${this.prefix}sidepunch:debounce:`, this.schedule, `:${digest}`)
      : `${this.prefix}sidepunch:debounce:${digest}`;
  }

  /** ZSET: a concurrency limiter's leases, holder → expiry (epoch ms). `limiter` is its name, with its key. */
  limiterLeases(limiter: string): string {
    return `${this.prefix}sidepunch:limiter:concurrent:${limiter}`;
  }

  /** STRING: starts counted in one window of a window limiter; expires with the window. */
  limiterWindow(limiter: string, windowStartMs: number): string {
    return `${this.prefix}sidepunch:limiter:window:${limiter}:${windowStartMs}`;
  }

  /** HASH `tokens`, `at` (token bucket) or STRING next start, epoch ms (leaky bucket): a rate limiter's state. */
  limiterBucket(limiter: string): string {
    return `${this.prefix}sidepunch:limiter:bucket:${limiter}`;
  }

  /** HASH: limiter name → JSON `{"kind","limit",…}`, written by the processes that use it (the Limiters page). */
  get limiters(): string {
    return `${this.prefix}sidepunch:limiters`;
  }

  /** HASH: limiter name → how many jobs it rescheduled (over its limit). */
  get limiterReschedules(): string {
    return `${this.prefix}sidepunch:limiter-reschedules`;
  }

  /**
   * HASH: one batch (docs/batches.md): `description`, `created_at`, `total`, `open` (jobs blocks running), `parent`,
   * the callbacks (`cb_<event>` payload text, `cbq_<event>` queue, `cbj_<event>` jid) and when each event fired
   * (`<event>_at`).
   */
  batch(bid: string): string {
    return `${this.batchPrefix}${bid}`;
  }

  /** SET: a batch's members (jids, `batch:<bid>` for a child batch) that have not succeeded yet. */
  batchPending(bid: string): string {
    return `${this.batch(bid)}:pending`;
  }

  /** SET: a batch's members that failed (or whose child batch completed with failures) and have not succeeded since. */
  batchFailed(bid: string): string {
    return `${this.batch(bid)}:failed`;
  }

  /** SET: a batch's members that went to the dead set (a child batch: one of its jobs did). */
  batchDead(bid: string): string {
    return `${this.batch(bid)}:dead`;
  }

  /** What batch() puts before the bid: batch-settle.lua builds a parent batch's keys from it. */
  get batchPrefix(): string {
    return `${this.prefix}sidepunch:batch:`;
  }

  /** ZSET: bid → created_at (epoch seconds), the batches the data API and the Batches page list. */
  get batches(): string {
    return `${this.prefix}sidepunch:batches`;
  }

  /**
   * HASH: a workflow's parent waiting for its children (docs/workflows.md): `root`, `parent`, `class`, `queue`,
   * `policy` (childDeath), `pending` (children not yet counted), `children` (their jids, JSON, in order), `payload`
   * (its job text without the closing brace, pushed when `pending` reaches 0) and `killed` (a child's death failed it).
   */
  flow(jid: string): string {
    return `${this.flowPrefix}${jid}`;
  }

  /** HASH: a parent's counted children: child jid → `{"jid","class","result"}` JSON, or `-` (died). */
  flowResults(jid: string): string {
    return `${this.flow(jid)}:results`;
  }

  /** STRING: a workflow's tree as pushed, JSON `{ jid, class, queue, args, children: [...] }`, under its root's jid. */
  flowTree(root: string): string {
    return `${this.flow(root)}:tree`;
  }

  /** HASH: a workflow's node states, jid → `waiting`, `pending`, `retrying`, `succeeded` or `dead`. */
  flowState(root: string): string {
    return `${this.flow(root)}:state`;
  }

  /** What flow() puts before a jid: flow-settle.lua builds every workflow key from it. */
  get flowPrefix(): string {
    return `${this.prefix}sidepunch:flow:`;
  }

  /** ZSET: root jid → pushed at (epoch seconds), the workflows the data API and the Workflows page list. */
  get flows(): string {
    return `${this.prefix}sidepunch:flows`;
  }

  /** What queue() puts before a queue's name: batch-settle.lua pushes a callback job onto queue() of its queue. */
  get queuePrefix(): string {
    return `${this.prefix}queue:`;
  }

  statProcessed(day?: string): string {
    return day ? `${this.prefix}stat:processed:${day}` : `${this.prefix}stat:processed`;
  }

  statFailed(day?: string): string {
    return day ? `${this.prefix}stat:failed:${day}` : `${this.prefix}stat:failed`;
  }
}

/**
 * A queue's own list, `<head>{queue:<q>}<tail>`: that name on one Redis, whatever the queue is called; on a
 * cluster the name that shares the queue's slot (the same, unless the queue's name has braces: hash-tag.ts).
 */
function queueList(cluster: boolean, head: string, queueKey: string, tail: string): string {
  return cluster ? nameBeside(head, queueKey, tail) : `${head}{${queueKey}}${tail}`;
}

/**
 * The namespace a client or the data API uses when none is given: `SIDEPUNCH_NAMESPACE`, as `sidepunch-run`,
 * `sidepunch-web` and `check` read it, so an app and its workers set by the same variable share their keys.
 */
export function namespaceOrEnv(namespace: string | undefined): string | undefined {
  return namespace ?? (process.env.SIDEPUNCH_NAMESPACE || undefined);
}
