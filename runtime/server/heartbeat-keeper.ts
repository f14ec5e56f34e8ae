/**
 * Heartbeat keeper: keeps this process's heartbeat from expiring while a job blocks the event loop (synchronous
 * work), from a small worker thread with its own Redis connection (heartbeat-keeper-thread.ts).
 *  1. this event loop bumps a shared counter every heartbeat (a timer: it fires only when the loop is free);
 *  2. the thread, every heartbeat, extends the TTL of the process and work hashes (EXPIRE: it never creates them,
 *     and leaves `beat` as the last real beat) as long as the counter moved within `maxBlockSeconds` (300);
 *  3. so a job runs twice only when its loop stays blocked past that: the thread stops extending, the heartbeat
 *     expires `processTtlSeconds` later, another process rescues the jobs and runs them while this one still
 *     holds them. A process killed takes the thread with it: its heartbeat expires as before;
 *  4. a timer late by more than a heartbeat means the loop was blocked: one warning line each time.
 * Started only from the built runtime (dist/): in-process tests run the TypeScript sources, where the thread's
 * script does not exist, and the heartbeat alone keeps them alive, as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describeError } from '../core/thrown-value.js';
import { isCluster } from '../redis/redis-connection.js';
import { parseRedisUrl, type RedisEndpoint } from '../redis/redis-url.js';
import type { RuntimeContext } from './actor-context.js';
import type { KeeperAddress, KeeperLogin } from './keeper-connection.js';

const THREAD_SCRIPT = new URL('./heartbeat-keeper-thread.js', import.meta.url);

/** How the thread reaches Redis: an address and login (no address yet with Sentinel), or a cluster's URL. */
export type KeeperRedis =
  | { readonly mode: 'direct'; readonly login: KeeperLogin; readonly address?: KeeperAddress }
  | { readonly mode: 'cluster'; readonly url: string };

export interface KeeperData {
  readonly redis: KeeperRedis;
  /** The process hash and both work hashes. */
  readonly keys: readonly string[];
  readonly heartbeatSeconds: number;
  readonly processTtlSeconds: number;
  readonly maxBlockSeconds: number;
  /** Int32Array[1]: the counter this event loop bumps. */
  readonly alive: SharedArrayBuffer;
}

export class HeartbeatKeeper {
  private readonly alive = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  private thread?: Worker;
  private timer?: NodeJS.Timeout;
  private lastTick = 0;
  private readonly postPrimary = () => this.postAddress();

  constructor(private readonly ctx: RuntimeContext) {}

  start(): void {
    if (this.timer) return;
    const { config, identity, keys, clock, logger } = this.ctx;
    const intervalMs = config.heartbeatSeconds * 1000;
    this.lastTick = clock.now();
    this.timer = setInterval(() => this.tick(intervalMs), intervalMs).unref();
    if (!existsSync(fileURLToPath(THREAD_SCRIPT))) return;
    const endpoint = parseRedisUrl(config.redis);
    const work = keys.work(identity);
    const data: KeeperData = {
      redis: keeperRedis(config.redis, endpoint),
      keys: [keys.process(identity), work.workers, work.work],
      heartbeatSeconds: config.heartbeatSeconds,
      processTtlSeconds: config.processTtlSeconds,
      maxBlockSeconds: config.maxBlockSeconds,
      alive: this.alive.buffer as SharedArrayBuffer,
    };
    // Small heaps: it holds a socket and a timer (ioredis too in cluster mode).
    const oldGenerationMb = data.redis.mode === 'cluster' ? 16 : 8;
    this.thread = new Worker(THREAD_SCRIPT, {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: oldGenerationMb },
    });
    this.thread.unref();
    this.thread.on('error', (error) => logger.warn(`heartbeat keeper: ${describeError(error)}`));
    // A debug line once the thread can extend the heartbeat (tests wait for it before blocking the loop).
    this.thread.once('message', () => logger.debug('heartbeat keeper thread ready'));
    if (endpoint.mode === 'sentinel') {
      this.ctx.redis.on('ready', this.postPrimary);
      if (this.ctx.redis.status === 'ready') this.postAddress();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.thread) this.ctx.redis.off('ready', this.postPrimary);
    void this.thread?.terminate();
    this.thread = undefined;
  }

  /** The address the fetch connection reached: with Sentinel, the current primary. */
  private postAddress(): void {
    const redis = this.ctx.redis;
    if (isCluster(redis)) return; // Sentinel only: a cluster's keeper opens its own connection
    const { remoteAddress, remotePort } = redis.stream;
    if (remoteAddress && remotePort) this.thread?.postMessage({ host: remoteAddress, port: remotePort });
  }

  private tick(intervalMs: number): void {
    Atomics.add(this.alive, 0, 1);
    const now = this.ctx.clock.now();
    const blockedMs = now - this.lastTick - intervalMs;
    this.lastTick = now;
    if (blockedMs < intervalMs) return;
    const { config, logger } = this.ctx;
    const limit = config.maxBlockSeconds;
    logger.warn(
      `event loop blocked for ${(blockedMs / 1000).toFixed(1)} s (a job's synchronous work holds up every job ` +
        `of this process; blocked longer than --max-block ${limit} s, its jobs are rescued and may run twice)`,
    );
  }
}

/** Standalone: the URL's address; Sentinel: none until the fetch connection reaches the primary. */
function keeperRedis(url: string, endpoint: RedisEndpoint): KeeperRedis {
  if (endpoint.mode === 'cluster') return { mode: 'cluster', url };
  const { username, password, db, tls } = endpoint;
  const login = { username, password, db, tls };
  return { mode: 'direct', login, address: endpoint.mode === 'standalone' ? endpoint.nodes[0] : undefined };
}
