/**
 * `this.batch` and `this.batchCallback` on a worker, from its job's `bid` and `batch_callback` fields: the runtime's
 * executor and the testing modes set them the same way (docs/batches.md).
 */
import { batchCallbackOf, batchIdOf } from '../core/batch-scope.js';
import type { SidepunchWorker } from '../core/worker.js';
import { existingBatch } from './batch.js';

export function setBatchFields(worker: SidepunchWorker, job: Readonly<Record<string, unknown>>): void {
  const bid = batchIdOf(job);
  if (bid !== undefined) worker.batch = existingBatch(bid, typeof job.jid === 'string' ? job.jid : undefined);
  const callback = batchCallbackOf(job);
  if (callback) worker.batchCallback = callback;
}
