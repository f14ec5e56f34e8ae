/**
 * The client the testing modes put behind the stubs, `push` and `pushBulk`: the real client's job building and
 * client middleware, a check that the arguments survive JSON, then each payload parsed back from its JSON text
 * (the exact string Redis would hold) and either recorded (fake) or performed at once (inline). No Redis.
 */

import type { BatchStore } from '../client/batch.js';
import { Client, type PreparedJobs } from '../client/client.js';
import type { JobPayload } from '../core/job.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { joinMemoryBatch, MemoryBatchStore } from './fake-batches.js';
import { recordFakeJob } from './fake-jobs.js';
import { assertJsonSafe } from './json-safe.js';
import { performJob } from './perform-job.js';

export class TestingClient extends Client {
  private readonly memoryBatches: MemoryBatchStore;

  constructor(private readonly mode: 'fake' | 'inline') {
    super({});
    this.memoryBatches = new MemoryBatchStore(mode);
  }

  override batchStore(): BatchStore {
    return this.memoryBatches;
  }

  protected override prepare(...params: Parameters<Client['prepare']>): Promise<PreparedJobs> {
    const [job, argLists] = params;
    const className = typeof job.class === 'function' ? job.class.name : job.class;
    for (const args of argLists) if (Array.isArray(args)) assertJsonSafe(String(className), args);
    return super.prepare(...params);
  }

  protected override middlewareRedis(): RedisConnection | undefined {
    return undefined;
  }

  protected override async write(prepared: PreparedJobs): Promise<void> {
    const jobs: [JobPayload, number | undefined][] = [];
    for (const payloads of prepared.queued.values()) {
      for (const payload of payloads) jobs.push([JSON.parse(payload), undefined]);
    }
    for (const [at, payload] of prepared.scheduled) jobs.push([JSON.parse(payload), at]);
    if (prepared.bid !== undefined) {
      joinMemoryBatch(
        prepared.bid,
        prepared.jids.filter((jid) => jid !== undefined),
      );
    }
    for (const [job, at] of jobs) {
      if (this.mode === 'fake') recordFakeJob(job, at);
      else await performJob(job, 'inline');
    }
  }
}
