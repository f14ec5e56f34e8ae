/**
 * The heartbeat keeper's thread (see heartbeat-keeper.ts): every heartbeat, it extends the TTL of its process's
 * heartbeat hashes while the event loop has bumped the shared counter within `maxBlockSeconds`. It talks RESP
 * itself (keeper-connection.ts) and loads ioredis only for a Redis Cluster, whose keys may live on several nodes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KeeperData } from './heartbeat-keeper.js';
import { type KeeperAddress, KeeperConnection } from './keeper-connection.js';

const data = workerData as KeeperData;
const alive = new Int32Array(data.alive);
const expire = await heartbeatExpirer(data);

let seen = Atomics.load(alive, 0);
let movedAt = performance.now();

setInterval(() => {
  const now = performance.now();
  const current = Atomics.load(alive, 0);
  if (current !== seen) {
    seen = current;
    movedAt = now;
  }
  // Blocked too long: let the heartbeat expire, so the jobs are rescued.
  if (now - movedAt > data.maxBlockSeconds * 1000) return;
  expire();
}, data.heartbeatSeconds * 1000);

/** A function that sends EXPIRE for every heartbeat key. */
async function heartbeatExpirer({ redis, keys, processTtlSeconds }: KeeperData): Promise<() => void> {
  if (redis.mode === 'cluster') {
    // No logger: the event loop's own connections already say when Redis is unreachable.
    const { openRedis } = await import('../redis/redis-connection.js');
    const cluster = openRedis(redis.url, { role: 'heartbeat keeper', maxRetriesPerRequest: null });
    // Loading ioredis and finding the slots takes a moment; until then a blocked loop is not covered.
    cluster.once('ready', () => parentPort?.postMessage({ ready: true }));
    return () => {
      for (const key of keys) cluster.expire(key, processTtlSeconds).catch(() => {});
    };
  }
  const connection = new KeeperConnection(redis.login);
  if (redis.address) connection.setAddress(redis.address);
  // Sentinel: the event loop posts the primary's address each time its connection is ready.
  parentPort?.on('message', (address: KeeperAddress) => connection.setAddress(address));
  const commands = keys.map((key) => ['EXPIRE', key, processTtlSeconds]);
  parentPort?.postMessage({ ready: true });
  return () => connection.send(commands);
}
