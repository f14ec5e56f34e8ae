/**
 * The client the testing modes put behind the stubs, `push` and `pushBulk`: the real client's job building and
 * client middleware, a check that the arguments survive JSON, then each payload parsed back from its JSON text
 * (the exact string Redis would hold) and either recorded (fake) or performed at once (inline). No Redis.
 * Unique jobs take an in-memory lock (testing-locks.ts) and debounced ones fold into the pending fake job, so a
 * push says what it would say against Redis; inline mode performs every push at once, so nothing is left pending.
 */

import type { BatchStore } from '../client/batch.js';
import { Client, type PreparedJobs, PushError } from '../client/client.js';
import type { FlowNode } from '../core/flow.js';
import type { JobPayload } from '../core/job.js';
import { clientMiddleware } from '../middleware/client-middleware.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { joinMemoryBatch, MemoryBatchStore } from './fake-batches.js';
import { pushMemoryFlow } from './fake-flows.js';
import { recordDebouncedFakeJob, recordFakeJob } from './fake-jobs.js';
import { assertJsonSafe } from './json-safe.js';
import { performJob } from './perform-job.js';
import { releaseTestingLock, takeTestingLock } from './testing-locks.js';

function assertFlowJsonSafe(node: FlowNode): void {
  assertJsonSafe(node.className, node.args);
  for (const child of node.children) assertFlowJsonSafe(child);
}

export class TestingClient extends Client {
  private readonly memoryBatches: MemoryBatchStore;

  constructor(private readonly mode: 'fake' | 'inline') {
    super({});
    this.memoryBatches = new MemoryBatchStore(mode);
  }

  override batchStore(): BatchStore {
    return this.memoryBatches;
  }

  /** A workflow in memory (fake-flows.ts): its leaves recorded (fake) or performed at once (inline). */
  override async pushFlow(root: FlowNode): Promise<string> {
    assertFlowJsonSafe(root);
    return this.aroundFlow(root, (middleware) => pushMemoryFlow(root, this.mode, middleware));
  }

  /** The arguments are checked as they will be stored: after client middleware, when there is any. */
  protected override prepare(...params: Parameters<Client['prepare']>): Promise<PreparedJobs> {
    const [job, argLists] = params;
    const className = typeof job.class === 'function' ? job.class.name : job.class;
    if (clientMiddleware.size === 0) {
      for (const args of argLists) this.checkArguments(String(className), args);
    }
    return super.prepare(...params);
  }

  protected override checkArguments(className: string, args: unknown): void {
    if (Array.isArray(args)) assertJsonSafe(className, args);
  }

  protected override middlewareRedis(): RedisConnection | undefined {
    return undefined;
  }

  protected override async write(prepared: PreparedJobs): Promise<void> {
    const jobs: [string, number | undefined][] = [];
    for (const payloads of prepared.queued.values()) {
      for (const payload of payloads) jobs.push([payload, undefined]);
    }
    for (const [at, payload] of prepared.scheduled) jobs.push([payload, at]);
    const position = new Map(prepared.jids.map((jid, i) => [jid, i]));
    const now = Date.now() / 1000;
    const { bid } = prepared;
    if (bid !== undefined && prepared.debounce)
      throw new PushError(`job ${prepared.className}: a debounced job cannot join a batch`);
    // In push order: `prepared` groups the jobs by destination, and a middleware may have routed some elsewhere.
    const parsed = jobs.map(([payload, at]) => {
      const job = JSON.parse(payload) as JobPayload;
      return { payload, at, job, index: position.get(job.jid)! };
    });
    parsed.sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
    for (const { payload, at, job, index } of parsed) {
      const unique = prepared.unique;
      const digest = unique?.digests.get(payload);
      if (unique && digest !== undefined) {
        const ms = (unique.rule.forSeconds + Math.max(0, (at ?? now) - now)) * 1000;
        const holder = takeTestingLock(digest, job.jid!, ms);
        if (holder !== undefined) {
          unique.dropped.set(index, holder);
          prepared.jids[index] = undefined;
          continue;
        }
      }
      // One at a time: an inline job settles its batch membership when it has run.
      if (bid !== undefined) joinMemoryBatch(bid, [job.jid!]);
      const debounce = prepared.debounce;
      if (this.mode === 'fake' && debounce && at !== undefined) {
        const result = recordDebouncedFakeJob(job, at, debounce.digests.get(payload)!, debounce.rule);
        if (result) debounce.results.set(index, result);
        if (result?.kind === 'kept') prepared.jids[index] = undefined;
      } else if (this.mode === 'fake') recordFakeJob(job, at);
      else {
        // Run at once: once it is done, nothing of it is pending, whatever its outcome.
        try {
          await performJob(job, 'inline');
        } finally {
          if (digest !== undefined) releaseTestingLock(digest, job.jid);
        }
      }
    }
  }
}
