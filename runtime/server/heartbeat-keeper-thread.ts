/**
 * The heartbeat keeper's thread (see heartbeat-keeper.ts): every heartbeat, it extends the TTL of its process's
 * heartbeat hashes while the event loop has bumped the shared counter within `maxBlockSeconds`.
 */
import { workerData } from 'node:worker_threads';
import { Keys } from '../redis/keys.js';
import { openRedis } from '../redis/redis-connection.js';
import { parseRedisUrl } from '../redis/redis-url.js';
import type { KeeperData } from './heartbeat-keeper.js';

const data = workerData as KeeperData;
const alive = new Int32Array(data.alive);
const keys = new Keys(data.namespace, { cluster: parseRedisUrl(data.redis).mode === 'cluster' });
// No logger: the event loop's own connections already say when Redis is unreachable.
const redis = openRedis(data.redis, { role: 'heartbeat keeper', maxRetriesPerRequest: null });
const work = keys.work(data.identity);
const heartbeatKeys = [keys.process(data.identity), work.workers, work.work];

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
  for (const key of heartbeatKeys) redis.expire(key, data.processTtlSeconds).catch(() => {});
}, data.heartbeatSeconds * 1000);
