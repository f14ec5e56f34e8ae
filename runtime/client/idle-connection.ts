/**
 * A connection the client opens must not hold the process open while no push is pending, so that a script that
 * enqueues and returns exits by itself, as a Ruby script using Sidekiq::Client does:
 *  1. while a push is pending, a timer holds the process open, until the push settles (saved, or a PushError);
 *  2. the socket is unref'd at every (re)connect, so an idle connection holds nothing; with Sentinel, so are the
 *     failover detector's sockets (one per Sentinel);
 *  3. it reconnects only while a push is pending (ioredis's retry timers would hold the process): one that Redis
 *     closed while idle stays closed, and the next push opens a new one (`needsReopen`).
 * A long-lived server keeps running on its own handles. A Redis Cluster connection (a socket per node) is left as
 * ioredis makes it: it holds the process until close().
 */
import { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { isCluster, openRedis, type RedisConnection, type RedisTarget } from '../redis/redis-connection.js';

/** Pushes under way; while there is one, the process stays alive. */
export class PendingPushes {
  private count = 0;
  private holder?: NodeJS.Timeout;

  private readonly settledWaiters: (() => void)[] = [];

  get active(): boolean {
    return this.count > 0;
  }

  /** Resolves once no push is pending (at once when none is). */
  settled(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Runs `push` with the process held open until it settles. */
  async hold<T>(push: () => Promise<T>): Promise<T> {
    // Never fires: a ref'd timer is what keeps Node's event loop alive.
    if (this.count++ === 0) this.holder = setInterval(() => {}, 2 ** 30);
    try {
      return await push();
    } finally {
      if (--this.count === 0) {
        clearInterval(this.holder);
        for (const resolve of this.settledWaiters.splice(0)) resolve();
      }
    }
  }
}

export function openIdleConnection(
  target: RedisTarget,
  options: { readonly role: string; readonly logger: Logger; readonly maxRetriesPerRequest: number },
  pending: PendingPushes,
): RedisConnection {
  const redis = openRedis(target, { ...options, reconnectWhile: () => pending.active });
  if (isCluster(redis)) return redis;
  unrefEachSocket(redis);
  // With Sentinel, a new detector comes with each connection to the primary, made before 'connect' is emitted;
  // 'failoverSubscribed' follows once it has subscribed to every Sentinel.
  const seen = new WeakSet<Redis>();
  const unrefDetector = () => {
    for (const client of failoverDetectorClients(redis)) {
      if (seen.has(client)) continue;
      seen.add(client);
      unrefEachSocket(client);
    }
  };
  redis.on('connect', unrefDetector);
  redis.on('failoverSubscribed', unrefDetector);
  return redis;
}

function unrefEachSocket(redis: Redis): void {
  redis.stream?.unref();
  redis.on('connect', () => redis.stream.unref());
}

/**
 * The connections of ioredis's Sentinel failover detector, which hears +switch-master at once so that no push
 * lands on a demoted primary. ioredis has no option for their sockets: they are reached through its private
 * fields, each step checked, so that an ioredis without them only leaves those sockets holding the process.
 */
function failoverDetectorClients(redis: Redis): Redis[] {
  const field = (owner: unknown, name: string): unknown =>
    typeof owner === 'object' && owner !== null ? Reflect.get(owner, name) : undefined;
  const sentinels = field(field(field(redis, 'connector'), 'failoverDetector'), 'sentinels');
  if (!Array.isArray(sentinels)) return [];
  return sentinels.map((sentinel) => field(sentinel, 'client')).filter((client) => client instanceof Redis);
}

/** Closed for good while idle (`reconnectWhile` said no): a push must open a new connection. */
export function needsReopen(redis: RedisConnection): boolean {
  return redis.status === 'end';
}
