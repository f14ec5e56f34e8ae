/**
 * What is running right now (Sidekiq's `WorkSet`): each live process's work hash, one entry per running job, as of
 * its last heartbeat. Reads `<identity>:work` (Sidekiq 6.5+, Sidepunch) and falls back to `<identity>:workers`
 * (Sidekiq 6.4), so a mixed fleet shows up whole.
 */

import { readBatch } from '../redis/read-batch.js';
import type { ApiConnection } from './api-connection.js';
import { JobRecord } from './job-record.js';
import { scanSetMembers } from './paging.js';

export interface Work {
  /** The process's identity. */
  readonly processId: string;
  /** The slot (Sidekiq's thread id) within the process. */
  readonly threadId: string;
  readonly queue: string;
  /** When the job started, to the second. */
  readonly runAt: Date;
  /** The running job; `job.value` is the exact payload string. */
  readonly job: JobRecord;
}

export class WorkSet implements AsyncIterable<Work> {
  constructor(private readonly connection: ApiConnection) {}

  /** Every running job, oldest start first. */
  async list(): Promise<Work[]> {
    const { redis, keys } = this.connection;
    const identities = (await scanSetMembers(redis, keys.processes)).sort();
    if (identities.length === 0) return [];
    const pipeline = readBatch(redis);
    for (const identity of identities) {
      const { work, workers } = keys.work(identity);
      pipeline.hgetall(work).hgetall(workers);
    }
    const replies = (await pipeline.exec()) ?? [];
    const all: Work[] = [];
    identities.forEach((identity, i) => {
      const current = (replies[2 * i]?.[1] ?? {}) as Record<string, string>;
      const legacy = (replies[2 * i + 1]?.[1] ?? {}) as Record<string, string>;
      const entries = Object.keys(current).length > 0 ? current : legacy;
      for (const [threadId, json] of Object.entries(entries)) {
        const work = parseWork(identity, threadId, json);
        if (work) all.push(work);
      }
    });
    return all.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Work> {
    yield* await this.list();
  }

  /** Jobs running, from the processes' `busy` counts (as Sidekiq's `WorkSet#size`). */
  async size(): Promise<number> {
    const { redis, keys } = this.connection;
    const identities = await scanSetMembers(redis, keys.processes);
    if (identities.length === 0) return 0;
    const pipeline = readBatch(redis);
    for (const identity of identities) pipeline.hget(keys.process(identity), 'busy');
    const replies = (await pipeline.exec()) ?? [];
    return replies.reduce((total, [, busy]) => total + (Number(busy) || 0), 0);
  }

  /** The running job with this jid, or undefined. */
  async findByJid(jid: string): Promise<Work | undefined> {
    return (await this.list()).find((work) => work.job.jid === jid);
  }
}

function parseWork(processId: string, threadId: string, json: string): Work | undefined {
  let entry: { queue?: unknown; payload?: unknown; run_at?: unknown };
  try {
    entry = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!entry || typeof entry !== 'object') return undefined;
  // Sidekiq writes the payload as a JSON string; some writers nest the object itself.
  const payload = typeof entry.payload === 'string' ? entry.payload : JSON.stringify(entry.payload ?? null);
  const job = new JobRecord(payload, typeof entry.queue === 'string' ? entry.queue : undefined);
  return { processId, threadId, queue: job.queue, runAt: new Date(Number(entry.run_at ?? 0) * 1000), job };
}
