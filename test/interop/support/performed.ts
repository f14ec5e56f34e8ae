/** What the interop workers of both sides recorded in `interop:performed`: jid → who performed it, with what. */
import type { Redis } from 'ioredis';

export interface Performed {
  readonly by: 'ruby' | 'sidepunch';
  readonly args: unknown[];
}

export async function performedJobs(redis: Redis): Promise<Record<string, Performed>> {
  const raw = await redis.hgetall('interop:performed');
  return Object.fromEntries(Object.entries(raw).map(([jid, json]) => [jid, JSON.parse(json) as Performed]));
}

/** Only the arguments, keyed by jid, to compare with what was enqueued. */
export async function performedArgs(redis: Redis, by: Performed['by']): Promise<Record<string, unknown[]>> {
  const jobs = await performedJobs(redis);
  const wrong = Object.entries(jobs).filter(([, job]) => job.by !== by);
  if (wrong.length > 0) throw new Error(`performed by the wrong side: ${JSON.stringify(wrong)}`);
  return Object.fromEntries(Object.entries(jobs).map(([jid, job]) => [jid, job.args]));
}
