/**
 * Loads each Lua script once as an ioredis command (EVALSHA, falling back to EVAL on NOSCRIPT).
 * One script per state change; each file's header documents its KEYS, ARGV and reply.
 */
import { readFileSync } from 'node:fs';
import type { Result } from 'ioredis';
import type { RedisConnection } from './redis-connection.js';

const SCRIPTS = {
  /** queues → in-progress, up to N jobs in all, by the draws given. Variable key count. */
  sidepunchFetch: { file: 'fetch.lua', keys: undefined },
  /** in-progress → gone: acknowledgements, one call per batch. */
  sidepunchAck: { file: 'ack.lua', keys: 1 },
  /** in-progress → queue, every job. */
  sidepunchRequeue: { file: 'requeue.lua', keys: 2 },
  /** in-progress → queue, chosen jobs (taken but not started, when the process goes quiet). */
  sidepunchGiveBack: { file: 'give-back.lua', keys: 2 },
  /** a dead process's list → its queue or the suspects list; poison pills stay for the dead set. */
  sidepunchRescue: { file: 'rescue.lua', keys: 3 },
  /** a lock → released, only by its holder. */
  sidepunchReleaseLock: { file: 'release-lock.lua', keys: 1 },
  /** schedule or retry → queue, due jobs, each exactly once. Variable key count. */
  sidepunchPromote: { file: 'promote.lua', keys: undefined },
  /** retry, schedule or dead → dead, chosen members (the data API's kill). */
  sidepunchKill: { file: 'kill.lua', keys: 2 },
  /** cluster mode: schedule or retry → this process's staging list (same slot). */
  sidepunchStage: { file: 'stage.lua', keys: 2 },
  /** cluster mode: staged jobs → their queue, each at most once. */
  sidepunchEnqueueOnce: { file: 'enqueue-once.lua', keys: 2 },
  /** a periodic entry's tick → claimed, and its job → queue, exactly once across processes. */
  sidepunchPeriodicEnqueue: { file: 'periodic-enqueue.lua', keys: 5 },
  /** a periodic tick's job held for client middleware → its queue, once. */
  sidepunchPeriodicPush: { file: 'periodic-push.lua', keys: 4 },
  /** the declared periodic entries → the stored set (added, changed, removed). */
  sidepunchPeriodicSync: { file: 'periodic-sync.lua', keys: 2 },
  /** a declared periodic entry → paused or running. */
  sidepunchPeriodicPause: { file: 'periodic-pause.lua', keys: 2 },
  /** a unique job → its lock taken and the job pushed, or nothing when another job holds the lock. */
  sidepunchUniquePush: { file: 'unique-push.lua', keys: 3 },
  /** a debounced job → scheduled, or folded into the pending job of its digest (replaced or kept). */
  sidepunchDebouncePush: { file: 'debounce-push.lua', keys: 2 },
  /** a concurrency limiter → one more lease, if under its limit. */
  sidepunchConcurrentAcquire: { file: 'concurrent-acquire.lua', keys: 1 },
  /** a running holder's concurrency lease → its expiry pushed forward, if it still holds it. */
  sidepunchConcurrentRenew: { file: 'concurrent-renew.lua', keys: 1 },
  /** a window rate limiter → one more start counted, if the window has room. */
  sidepunchWindowAcquire: { file: 'window-acquire.lua', keys: 1 },
  /** a start counted in a window it did not begin in → given back. */
  sidepunchWindowRelease: { file: 'window-release.lua', keys: 1 },
  /** a token bucket → one token fewer, if it has one. */
  sidepunchBucketAcquire: { file: 'bucket-acquire.lua', keys: 1 },
  /** a leaky bucket → the next start allowed, if this one may go now. */
  sidepunchLeakyAcquire: { file: 'leaky-acquire.lua', keys: 1 },
  /** a batch's members' outcomes → each counted once; the batch's events fired once, their callbacks pushed. */
  sidepunchBatchSettle: { file: 'batch-settle.lua', keys: 1 },
  /** a batch → one more jobs block open, if it exists and has not succeeded. */
  sidepunchBatchOpen: { file: 'batch-open.lua', keys: 4 },
  /** a workflow → its parents waiting with their counts, its leaves queued, its tree and states recorded. */
  sidepunchFlowPush: { file: 'flow-push.lua', keys: 2 },
  /** a workflow's jobs' outcomes → states, each child counted once in its parent, parents pushed or failed. */
  sidepunchFlowSettle: { file: 'flow-settle.lua', keys: 2 },
} as const;

/** The name of a Sidepunch script, as withScripts defines it on a connection. */
export type ScriptName = keyof typeof SCRIPTS;

// The commands withScripts defines, on every ioredis commander: a connection, and its pipelines and MULTIs too.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    /**
     * `numberOfKeys, ...(queueKey, inProgressKey), max, perDraw, 'fill' | 'first', ...draws`: the jobs taken, in
     * groups of a queue's position among the pairs (1-based) and its payloads.
     */
    sidepunchFetch(...args: (string | number)[]): Result<(string | number)[][], Context>;
    sidepunchRequeue(inProgressKey: string, queueKey: string): Result<number, Context>;
    /** The payloads newest taken first; resolves to how many moved. */
    sidepunchGiveBack(
      inProgressKey: string,
      queueKey: string,
      ...payloads: (string | Buffer)[]
    ): Result<number, Context>;
    sidepunchAck(inProgressKey: string, ...payloads: (string | Buffer)[]): Result<number, Context>;
    sidepunchRescue(
      listKey: string,
      queueKey: string,
      suspectsKey: string,
      mode: 'shared' | 'alone',
      survivableAloneCrashes: number,
      nearCounterPrefix: string,
      aloneCounterPrefix: string,
      counterTtlSeconds: number,
      suspectFromRescue: number,
    ): Result<string[], Context>;
    /** Resolves to 1 when released, 0 when another holder had the lock. */
    sidepunchReleaseLock(lockKey: string, holder: string): Result<number, Context>;
    /** `numberOfKeys, setKey, queuesKey, ...queueKeys, now, ...(member, payload, queueName)` */
    sidepunchPromote(...args: (string | number | Buffer)[]): Result<number, Context>;
    /** Resolves to the members that moved. */
    sidepunchKill(
      setKey: string,
      deadKey: string,
      now: number,
      oldestKept: number,
      maxJobs: number,
      ...members: (string | Buffer)[]
    ): Result<string[], Context>;
    /** `setKey, stagingKey, now, ...(member, payload)` */
    sidepunchStage(setKey: string, stagingKey: string, ...args: (string | number)[]): Result<number, Context>;
    sidepunchEnqueueOnce(
      queueKey: string,
      markerKey: string,
      markerTtlSeconds: number,
      ...payloads: string[]
    ): Result<number, Context>;
    /** Resolves to PeriodicClaim: 1 (pushed), 2 (held), 3 (duplicate), 0 (taken), -1 (not the stored definition), -2 (paused). */
    sidepunchPeriodicEnqueue(
      definitionsKey: string,
      stateKey: string,
      queuesKey: string,
      queueKey: string,
      lockKey: string,
      name: string,
      definition: string,
      tick: number,
      payload: string,
      jid: string,
      queue: string,
      now: number,
      lockMs: number | '',
      holder: string,
    ): Result<number, Context>;
    /** Resolves to PeriodicPush: 1 (pushed), 0 (no longer pending), -3 (stopped), 3 (duplicate). */
    sidepunchPeriodicPush(
      stateKey: string,
      queuesKey: string,
      queueKey: string,
      lockKey: string,
      claimedJid: string,
      payload: string,
      queue: string,
      lockMs: number | '',
      jid: string,
      tick: number,
    ): Result<number, Context>;
    /** `definitionsKey, writerKey, writer, statePrefix, ...(name, definition)`; resolves to [added, changed, removed]. */
    sidepunchPeriodicSync(...args: string[]): Result<[number, number, number], Context>;
    /** Resolves to 1, or 0 when no such entry is declared. */
    sidepunchPeriodicPause(
      definitionsKey: string,
      stateKey: string,
      name: string,
      pause: '1' | '0',
      now: number,
      /** On resume, the latest tick at or before now ('' for none). */
      latestTick: number | '',
    ): Result<number, Context>;
    /** Resolves to 1 (pushed) or the jid holding the lock (dropped). */
    sidepunchUniquePush(
      lockKey: string,
      queuesKey: string,
      destinationKey: string,
      jid: string,
      lockMs: number,
      queue: string,
      at: string,
      payload: string,
    ): Result<number | string, Context>;
    /** Resolves to [1 pushed | 2 replaced | 3 kept, the pending payload or '', the run-at score]. */
    sidepunchDebouncePush(
      debounceKey: string,
      scheduleKey: string,
      payload: string,
      at: string,
      keep: 'last' | 'first',
      extend: '1' | '0',
      now: string,
      keepMs: number,
    ): Result<[number, string, string], Context>;
    /** Resolves to 1 (lease taken) or 0 (at the limit). */
    sidepunchConcurrentAcquire(
      leasesKey: string,
      nowMs: number,
      limit: number,
      holder: string,
      expiresAtMs: number,
      leaseMs: number,
    ): Result<number, Context>;
    /** Resolves to 1 (renewed) or 0 (the holder no longer has a lease). */
    sidepunchConcurrentRenew(
      leasesKey: string,
      holder: string,
      expiresAtMs: number,
      leaseMs: number,
    ): Result<number, Context>;
    /** Resolves to 1 (counted) or 0 (window full). */
    sidepunchWindowAcquire(windowKey: string, limit: number, windowLeftMs: number): Result<number, Context>;
    /** Resolves to the count left, or -1 (the counter expired). */
    sidepunchWindowRelease(windowKey: string): Result<number, Context>;
    /** Resolves to 0 (token taken) or the milliseconds until one is there. */
    sidepunchBucketAcquire(
      bucketKey: string,
      nowMs: number,
      limit: number,
      perMs: number,
    ): Result<number, Context>;
    /** Resolves to the events fired, `<bid>:<event>`. */
    /** `queuesKey, batchPrefix, queuePrefix, now, bid, ...(member, 'success' | 'failure' | 'death' | 'close')` */
    sidepunchBatchSettle(queuesKey: string, ...args: string[]): Result<string[], Context>;
    /** Resolves to 1 (open), 2 (held by the running job's membership), 0 (no such batch), -1 (succeeded already). */
    sidepunchBatchOpen(
      batchKey: string,
      pendingKey: string,
      failedKey: string,
      deadKey: string,
      ttlSeconds: number,
      memberJid: string,
    ): Result<number, Context>;
    /** `queuesKey, flowsKey, flowPrefix, queuePrefix, root, now, ttl, tree, parents, ...`; resolves to the leaves pushed. */
    sidepunchFlowPush(queuesKey: string, flowsKey: string, ...args: string[]): Result<number, Context>;
    /** `queuesKey, deadKey, flowPrefix, queuePrefix, now, doneTtl, ...(root, jid, parent, outcome, detail)`. */
    sidepunchFlowSettle(queuesKey: string, deadKey: string, ...args: string[]): Result<string[], Context>;
    /** Resolves to 0 (may start) or the milliseconds until it may. */
    sidepunchLeakyAcquire(bucketKey: string, nowMs: number, intervalMs: number): Result<number, Context>;
  }
}

/**
 * Every script's text by file name, written in by the build (scripts/build.mjs) so that an app whose bundler puts
 * sidepunch inside its own bundle still has them; run from the sources, the files beside this module are read.
 */
const EMBEDDED_SOURCES: Readonly<Record<string, string>> | undefined = undefined;

const sources = new Map<string, string>();

function source(file: string): string {
  let text = EMBEDDED_SOURCES?.[file] ?? sources.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8');
    sources.set(file, text);
  }
  return text;
}

/** `redis`, with Sidepunch's scripts defined as commands (see the declarations above). */
export function withScripts<Connection extends RedisConnection>(redis: Connection): Connection {
  for (const [name, { file, keys }] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: keys, lua: source(file) });
  }
  return redis;
}
