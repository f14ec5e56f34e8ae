/**
 * Loads each Lua script once as an ioredis command (EVALSHA, falling back to EVAL on NOSCRIPT).
 * One script per state change; each file's header documents its KEYS, ARGV and reply.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const SCRIPTS = {
  /** queue → in-progress, up to N jobs. */
  sidepunchFetch: { file: 'fetch.lua', keys: 2 },
  /** in-progress → gone: acknowledgements, one call per batch. */
  sidepunchAck: { file: 'ack.lua', keys: 1 },
  /** in-progress → queue, every job. */
  sidepunchRequeue: { file: 'requeue.lua', keys: 2 },
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
} as const;

export interface ScriptCommands {
  sidepunchFetch(queueKey: string, inProgressKey: string, max: number): Promise<string[]>;
  sidepunchRequeue(inProgressKey: string, queueKey: string): Promise<number>;
  sidepunchAck(inProgressKey: string, ...payloads: (string | Buffer)[]): Promise<number>;
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
  ): Promise<string[]>;
  /** Resolves to 1 when released, 0 when another holder had the lock. */
  sidepunchReleaseLock(lockKey: string, holder: string): Promise<number>;
  /** `numberOfKeys, setKey, queuesKey, ...queueKeys, now, ...(member, payload, queueName)` */
  sidepunchPromote(...args: (string | number)[]): Promise<number>;
  /** Resolves to the members that moved. */
  sidepunchKill(
    setKey: string,
    deadKey: string,
    now: number,
    oldestKept: number,
    maxJobs: number,
    ...members: string[]
  ): Promise<string[]>;
  /** `setKey, stagingKey, now, ...(member, payload)` */
  sidepunchStage(setKey: string, stagingKey: string, ...args: (string | number)[]): Promise<number>;
  sidepunchEnqueueOnce(
    queueKey: string,
    markerKey: string,
    markerTtlSeconds: number,
    ...payloads: string[]
  ): Promise<number>;
}

export type ScriptedRedis = Redis & ScriptCommands;

const sources = new Map<string, string>();

function source(file: string): string {
  let text = sources.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8');
    sources.set(file, text);
  }
  return text;
}

export function withScripts(redis: Redis): ScriptedRedis {
  for (const [name, { file, keys }] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: keys, lua: source(file) });
  }
  return redis as ScriptedRedis;
}
