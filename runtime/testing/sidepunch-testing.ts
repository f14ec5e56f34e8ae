/**
 * `sidepunch/testing`: run code that enqueues jobs without Redis, in fake or inline mode (docs/testing.md).
 */

export { clearBatches, type FakeBatch, fakeBatches } from './fake-batches.js';
export { clearWorkflows, fakeWorkflows } from './fake-flows.js';
export {
  allJobs,
  clearAll,
  drainAll,
  EmptyQueueError,
  type FakeJob,
  type FakeWorker,
  worker,
} from './fake-jobs.js';
export { currentMode, disable, fake, inline, type TestingMode } from './modes.js';
export { testingServerMiddleware } from './perform-job.js';
export { registerWorkers, TestingError, unregisterWorkers } from './workers.js';
