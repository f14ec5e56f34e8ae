export { SidepunchApi } from './api/api.js';
export {
  type ApiConnection,
  type ApiOptions,
  type OwnedApiConnection,
  openApiConnection,
} from './api/api-connection.js';
export { type BatchRecord, BatchSet } from './api/batch-set.js';
export { DeadSet, type DeathReason } from './api/dead-set.js';
export { type FlowNodeRecord, type FlowRecord, FlowSet } from './api/flow-set.js';
export type { InFlightGroup, InFlightReport } from './api/in-flight.js';
export { JobRecord } from './api/job-record.js';
export {
  JobSet,
  type JobSetName,
  RetrySet,
  ScheduledSet,
  type SetPageOptions,
  SortedEntry,
} from './api/job-set.js';
export { JobKilledByApi, type KillOptions } from './api/kill.js';
export { type LimiterRecord, LimiterSet } from './api/limiter-set.js';
export {
  type ClassMetrics,
  HISTOGRAM_BOUNDS_MS,
  MAX_METRICS_MINUTES,
  Metrics,
  type MetricsQuery,
  type MetricsReport,
  type MinuteMetrics,
} from './api/metrics-query.js';
export type { PageOptions } from './api/paging.js';
export { PeriodicEntryNotFound, PeriodicEntryRecord, PeriodicSet } from './api/periodic-set.js';
export { ProcessRecord, ProcessSet, type ProcessSignal } from './api/process-set.js';
export { Queue, QueueJob } from './api/queue.js';
export { NotAJobError } from './api/repush.js';
export { Stats, type StatsHistory, type StatsSummary } from './api/stats.js';
export type { UniqueLockState } from './api/unique-lock.js';
export { type Work, WorkSet } from './api/work-set.js';
export {
  Batch,
  BatchError,
  type BatchOptions,
  type BatchStore,
  batch,
  type JobCall,
  openBatch,
} from './client/batch.js';
export { Client, type ClientOptions, type PushBulk, PushError, type PushJob } from './client/client.js';
export { close, configure, defaultClient, push, pushBulk } from './client/default-client.js';
export { Limiter, type LimiterConnection, limiter, OverLimitError } from './client/limiter.js';
export {
  type ClientSource,
  type FlowTarget,
  type OutcomeStub,
  setStubClient,
  type WorkerStub,
  workerStub,
} from './client/stub.js';
export type { PushOutcome } from './client/unique-push.js';
export { argumentNames } from './core/argument-names.js';
export {
  BATCH_TTL_SECONDS,
  type BatchCallbackInfo,
  type BatchEvent,
  type BatchHandle,
} from './core/batch-scope.js';
export { type Clock, FakeClock, systemClock } from './core/clock.js';
export { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT } from './core/dashboard-access.js';
export type { DebounceOptions } from './core/debounce.js';
export type { FieldLogger, LogFields } from './core/field-logger.js';
export {
  type ChildDeathPolicy,
  type ChildResult,
  type ChildResults,
  FLOW_DONE_TTL_SECONDS,
  FLOW_TTL_SECONDS,
  FlowError,
  type FlowNode,
  type FlowNodeState,
  type ResultOf,
} from './core/flow.js';
export {
  type DeathHandler,
  deathHandlers,
  type ErrorHandler,
  errorHandlers,
  type FailureContext,
  onJobDeath,
  onJobError,
} from './core/handlers.js';
export { encodeJob, formatSeconds, type JobPayload, newJid, toEpochSeconds } from './core/job.js';
export type { BucketLimit, ConcurrentLimit, LeakyLimit, LimitOptions, WindowLimit } from './core/limit.js';
export { LineLogger, type LogContext, type LogFormat, type Logger, type LogLevel } from './core/logger.js';
export { type PeriodicEntry, type PeriodicOptions, periodic, type StubArgs } from './core/periodic.js';
export {
  type ArgsValidator,
  defineRegistry,
  loadRegistry,
  type Registry,
  RegistryError,
  type WorkerGenerations,
} from './core/registry.js';
export { type UniqueOptions, uniqueDigest } from './core/unique.js';
export type { ArgsVerdict } from './core/upgrade.js';
export type {
  PeriodicTick,
  RetriesExhaustedAnswer,
  RetryInAnswer,
  SidepunchWorker,
  WorkerClass,
  WorkerOptions,
} from './core/worker.js';
export { type EntryRef, MiddlewareChain } from './middleware/chain.js';
export {
  type ClientContext,
  type ClientMiddleware,
  type ClientMiddlewareFunction,
  type ClientMiddlewareObject,
  type ClientNext,
  clientMiddleware,
  type PushOrigin,
  runClientMiddleware,
} from './middleware/client-middleware.js';
export type { ConfigureServer, ServerConfiguration, ShutdownHook } from './middleware/configure.js';
export type { Propagation, SpanNaming } from './middleware/opentelemetry/conventions.js';
// Loads @opentelemetry/api only when called: an app that does not call it needs no OpenTelemetry package.
export {
  instrumentOpenTelemetry,
  type OpenTelemetryInstrumentation,
  type OpenTelemetryOptions,
} from './middleware/opentelemetry/instrument.js';
export {
  DURATION_BUCKETS,
  MetricsMiddleware,
  type MetricsSnapshot,
  mergeSnapshots,
  renderMetrics,
} from './middleware/prometheus-metrics.js';
export {
  type PushCall,
  type PushedJids,
  type PushHook,
  pushHooks,
} from './middleware/push-hooks.js';
export {
  type ServerContext,
  type ServerMiddleware,
  type ServerMiddlewareFunction,
  type ServerMiddlewareObject,
  type ServerNext,
  serverMiddleware,
} from './middleware/server-middleware.js';
export { StructuredLogMiddleware } from './middleware/structured-log.js';
export { Keys } from './redis/keys.js';
// Types only: what a host embedding the runtime (`sidepunch/embed`) hears; no runtime code is loaded from here.
export type {
  CompleteFlushedEvent,
  FetchReconnectedEvent,
  JobDoneEvent,
  JobEvent,
  JobFailedEvent,
  JobUnperformableEvent,
  PeriodicEnqueuedEvent,
  RuntimeEventMap,
  RuntimeEventSource,
  RuntimeEvents,
} from './server/events.js';
export { createDashboard, type Dashboard, type DashboardOptions } from './web/dashboard.js';
export { isLoopback } from './web/loopback.js';
export {
  startWebServer,
  type WebServer,
  WebServerError,
  type WebServerOptions,
} from './web/web-server.js';
