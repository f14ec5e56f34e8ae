/**
 * Performs one job in the test's own process, as `sidepunch-run` would: the registered class, `jid` set, the
 * registry's argument validator when there is one, and the testing server middleware chain (empty unless a test
 * adds to it, like Sidekiq's `Sidekiq::Testing.server_middleware`). Errors reach the caller. A unique job's lock
 * is released as the runtime does: before `perform` (`until: 'start'`) or after it succeeds; a failure keeps it.
 */
import { setBatchFields } from '../client/batch-fields.js';
import { batchIdOf, inBatchScope } from '../core/batch-scope.js';
import { flowFieldsOf } from '../core/flow.js';
import type { JobPayload } from '../core/job.js';
import { processWide } from '../core/process-wide.js';
import { uniqueFieldsOf } from '../core/unique.js';
import { periodicTickOf } from '../core/worker.js';
import { MiddlewareChain } from '../middleware/chain.js';
import { runServerMiddleware, type ServerMiddleware } from '../middleware/server-middleware.js';
import { settleMemoryBatch } from './fake-batches.js';
import { memoryChildren, settleMemoryFlow } from './fake-flows.js';
import { releaseTestingLock } from './testing-locks.js';
import { TestingError, validatorOf, workerClassOf } from './workers.js';

/** Server middleware for jobs performed by the testing modes (the runtime's own chain is not used). */
export const testingServerMiddleware = processWide(
  'testingServerMiddleware',
  () => new MiddlewareChain<ServerMiddleware>(),
);

/**
 * A job of a batch settles it afterwards: success, or (a job that throws, never retried here) death; a job the runtime
 * would drop rather than send to the dead set (`retry: false`, `dead: false`) counts as failed, as there. So does a job
 * of a workflow settle it (fake-flows.ts), where a drop is a death as in the runtime. `mode` says where the batch's
 * callbacks and a workflow's parents go: recorded (fake) or performed at once (inline).
 */
export async function performJob(job: JobPayload, mode: 'fake' | 'inline' = 'fake'): Promise<void> {
  const bid = batchIdOf(job);
  const flow = flowFieldsOf(job) !== undefined;
  if (bid === undefined && !flow) {
    await perform(job);
    return;
  }
  let result: unknown;
  try {
    result = await perform(job);
  } catch (error) {
    if (bid !== undefined)
      await settleMemoryBatch(bid, job.jid ?? '', droppedOnFailure(job) ? 'failure' : 'death', mode);
    if (flow) await settleMemoryFlow(job, 'died', mode);
    throw error;
  }
  if (bid !== undefined) await settleMemoryBatch(bid, job.jid ?? '', 'success', mode);
  if (flow) await settleMemoryFlow(job, { result }, mode);
}

/** Whether the runtime would drop this job when it throws its last time, not move it to the dead set (job-retry.ts). */
function droppedOnFailure(job: JobPayload): boolean {
  if (job.dead === false) return true;
  if (job.retry !== undefined) return job.retry === false;
  try {
    return workerClassOf(job.class).sidepunchOptions?.retry === false;
  } catch {
    return false; // a class not registered: the error the job failed with
  }
}

async function perform(job: JobPayload): Promise<unknown> {
  const workerClass = workerClassOf(job.class);
  const problem = validatorOf(job.class)?.(job.args);
  if (problem !== undefined) {
    throw new TestingError(`arguments do not match ${job.class}.perform: ${problem}`);
  }
  const worker = new workerClass();
  worker.jid = job.jid;
  worker.periodic = periodicTickOf(job);
  worker.signal = new AbortController().signal;
  setBatchFields(worker, job);
  const children = flowFieldsOf(job)?.isParent ? memoryChildren(job.jid ?? '') : undefined;
  if (children) worker.children = children;
  const unique = uniqueFieldsOf(job);
  if (unique?.unique_until === 'start') releaseTestingLock(unique.unique_digest, job.jid);
  // As in the runtime, a job's own pushes join no batch unless it opens a jobs block (`this.batch.jobs`).
  let result: unknown;
  await inBatchScope(undefined, async () => {
    if (testingServerMiddleware.size === 0) {
      result = await worker.perform(...job.args);
      return;
    }
    await runServerMiddleware(
      testingServerMiddleware,
      job,
      { worker, workerClass, queue: job.queue },
      async () => {
        result = await worker.perform(...job.args);
      },
    );
  });
  if (unique) releaseTestingLock(unique.unique_digest, job.jid);
  return result;
}
