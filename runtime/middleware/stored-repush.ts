/**
 * A job already stored in Redis (a due scheduled job, a retry, an entry the API re-pushes) through the client
 * chain on its way back to a queue. The payload text is kept byte for byte unless a middleware changed the job.
 */
import { encodeJob, type JobPayload } from '../core/job.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { clientMiddleware, type PushOrigin, runClientMiddleware } from './client-middleware.js';

/** The payload to push and its queue; `payload` is '' when a middleware stopped the push. */
export type StoredRepush = { payload: string; queue: string } | { reason: string };

/** Whether any client middleware is registered: without one, stored payloads go back untouched. */
export function hasClientMiddleware(): boolean {
  return clientMiddleware.size > 0;
}

/** `payload` (as it would go onto `queue`) through the client chain; a middleware's error reaches the caller. */
export async function repushThroughMiddleware(
  payload: string,
  queue: string,
  redis: RedisConnection,
  origin: PushOrigin,
): Promise<StoredRepush> {
  const job = JSON.parse(payload) as JobPayload;
  const before = encodeJob(job);
  const pushed = await runClientMiddleware(job, { className: String(job.class), queue, redis, origin });
  if (!pushed) return { payload: '', queue };
  const changedQueue = job.queue ?? 'default';
  if (typeof changedQueue !== 'string' || changedQueue === '') {
    return { reason: 'client middleware left an invalid "queue"' };
  }
  return { payload: encodeJob(job) === before ? payload : encodeJob(job), queue: changedQueue };
}
