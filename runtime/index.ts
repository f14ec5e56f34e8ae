export { Client, type ClientOptions, type PushBulk, PushError, type PushJob } from './client.js';
export { type Clock, FakeClock, systemClock } from './clock.js';
export { close, configure, defaultClient, push, pushBulk } from './default-client.js';
export {
  type DeathHandler,
  type ErrorHandler,
  type FailureContext,
  onJobDeath,
  onJobError,
} from './handlers.js';
export { encodeJob, formatSeconds, type JobPayload, newJid, toEpochSeconds } from './job.js';
export { LineLogger, type Logger, type LogLevel } from './logger.js';
export { Keys } from './redis/keys.js';
export {
  type ArgsValidator,
  defineRegistry,
  loadRegistry,
  type Registry,
  RegistryError,
} from './registry.js';
export { type ClientSource, setStubClient, type WorkerStub, workerStub } from './stub.js';
export type { RetryInAnswer, SidepunchWorker, WorkerClass, WorkerOptions } from './worker.js';
