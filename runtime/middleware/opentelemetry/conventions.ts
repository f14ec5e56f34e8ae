/**
 * The names OpenTelemetry's messaging semantic conventions give to what Sidepunch records, in one place: span names,
 * attributes, metrics and their units. `messaging.system` is `sidekiq`, as Ruby's opentelemetry-instrumentation-sidekiq
 * writes, since the jobs are Sidekiq's; its `messaging.sidekiq.job_class` attribute is kept too.
 */

export const SYSTEM = 'sidekiq';

export const ATTR = {
  system: 'messaging.system',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  errorType: 'error.type',
  /** Ruby's instrumentation's own attribute: the worker class. */
  jobClass: 'messaging.sidekiq.job_class',
  /** The payload's `retry_count`: set on a retry's run (0 on the first retry, as Sidekiq counts). */
  retryCount: 'messaging.sidekiq.retry_count',
} as const;

/** A push is a "send" (its span's context is the jobs' creation context); a perform a "process". */
export type Operation = 'send' | 'process';

export const METRIC = {
  /** Histogram, seconds: a push call, from its first job's client middleware to Redis' reply. */
  sendDuration: 'messaging.client.operation.duration',
  /** Counter: jobs a push call tried to save. */
  sent: 'messaging.client.sent.messages',
  /** Histogram, seconds: a perform, inside the server middleware that came after this one. */
  processDuration: 'messaging.process.duration',
  /** Counter: jobs handed to `perform`. */
  consumed: 'messaging.client.consumed.messages',
} as const;

/** The buckets the conventions advise for both duration histograms, in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** How a job's process span relates to the push that enqueued it; Ruby's `propagation_style`. */
export type Propagation = 'link' | 'child' | 'none';

/** What names a span after its operation: the queue (`send default`) or the job class (`send HardWorker`). */
export type SpanNaming = 'queue' | 'jobClass';

/** `{operation} {destination}`, the conventions' span name; Ruby's `span_naming: :job_class` puts the class there. */
export function spanName(operation: Operation, naming: SpanNaming, queue: string, className: string): string {
  return `${operation} ${naming === 'jobClass' ? className : queue}`;
}

/** Low-cardinality `error.type`: the error's class name, or `_OTHER` for a thrown value that is not an Error. */
export function errorType(error: unknown): string {
  return error instanceof Error ? error.name || error.constructor.name : '_OTHER';
}
