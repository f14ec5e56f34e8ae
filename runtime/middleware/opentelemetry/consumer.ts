/**
 * The consumer side, a server middleware around every perform:
 *  1. read the creation context from the payload through the registered propagator (`traceparent`, as Ruby's
 *     opentelemetry-instrumentation-sidekiq writes it, or as Sidepunch's producer does);
 *  2. start a CONSUMER span, `process <queue>`: with `propagation: 'link'` (the default, as Ruby's) a new trace
 *     linked to the push, with 'child' a child of the push, with 'none' a new trace alone; the payload's baggage
 *     is current in all three, as in Ruby; events mark the payload's `created_at` and `enqueued_at`;
 *  3. perform with the span active, so what the job does (and pushes) is its child;
 *  4. end it with the outcome: ERROR with the exception recorded when perform threw, or when the job's `timeout`
 *     passed (then at once, not when a perform that ignores its signal returns); the duration goes to the meter.
 * Whether a failed job is retried or dies is decided after the span ends; a retry's run carries `retry_count`.
 */
import type * as Api from '@opentelemetry/api';
import { type JobPayload, toEpochSeconds } from '../../core/job.js';
import type { ServerContext, ServerMiddlewareObject, ServerNext } from '../server-middleware.js';
import { ATTR, errorType, type Propagation, type SpanNaming, SYSTEM, spanName } from './conventions.js';
import { jobGetter, type Telemetry } from './telemetry.js';

export class ConsumerInstrumentation implements ServerMiddlewareObject {
  constructor(
    private readonly telemetry: Telemetry,
    private readonly naming: SpanNaming,
    private readonly propagation: Propagation,
  ) {}

  async call(job: Readonly<JobPayload>, next: ServerNext, context: ServerContext): Promise<void> {
    const { api, tracer } = this.telemetry;
    const { queue } = context;
    // A Rails ActiveJob's payload names the wrapper as its class and the job in `wrapped`, which Ruby reports.
    const jobClass = typeof job.wrapped === 'string' ? job.wrapped : job.class;
    const creation = api.propagation.extract(api.ROOT_CONTEXT, job, jobGetter);
    const pushed = api.trace.getSpanContext(creation);
    const links =
      this.propagation === 'link' && pushed && api.isSpanContextValid(pushed) ? [{ context: pushed }] : [];
    const span = tracer.startSpan(
      spanName('process', this.naming, queue, jobClass),
      {
        kind: api.SpanKind.CONSUMER,
        root: this.propagation !== 'child',
        links,
        attributes: {
          [ATTR.system]: SYSTEM,
          [ATTR.operationName]: 'process',
          [ATTR.operationType]: 'process',
          [ATTR.destination]: queue,
          [ATTR.jobClass]: jobClass,
          ...(typeof job.jid === 'string' ? { [ATTR.messageId]: job.jid } : {}),
          ...(typeof job.retry_count === 'number' ? { [ATTR.retryCount]: job.retry_count } : {}),
        },
      },
      creation,
    );
    for (const field of ['created_at', 'enqueued_at'] as const) {
      const seconds = toEpochSeconds(job[field]);
      if (seconds !== undefined) span.addEvent(field, seconds * 1000);
    }

    const started = performance.now();
    const signal = context.worker.signal;
    let ended = false;
    const end = (failure?: { error: unknown }) => {
      if (ended) return;
      ended = true;
      signal?.removeEventListener('abort', onAbort);
      if (failure) {
        this.telemetry.fail(span, failure.error);
        span.setAttribute(ATTR.errorType, errorType(failure.error));
      }
      span.end();
      this.record(jobClass, queue, (performance.now() - started) / 1000, failure);
    };
    // The executor fails a job whose timeout passed at that moment, whether or not perform returns.
    const onAbort = () => {
      if (signal?.reason instanceof Error && signal.reason.name === 'JobTimeoutError') {
        end({ error: signal.reason });
      }
    };
    signal?.addEventListener('abort', onAbort);
    try {
      await api.context.with(api.trace.setSpan(creation, span), next);
      end();
    } catch (error) {
      end({ error });
      throw error;
    }
  }

  private record(
    jobClass: string,
    queue: string,
    seconds: number,
    failure: { error: unknown } | undefined,
  ): void {
    const attributes: Api.Attributes = {
      [ATTR.system]: SYSTEM,
      [ATTR.operationName]: 'process',
      [ATTR.operationType]: 'process',
      [ATTR.destination]: queue,
      // Worker classes are few: the process time per class is what a dashboard of jobs shows.
      [ATTR.jobClass]: jobClass,
      ...(failure ? { [ATTR.errorType]: errorType(failure.error) } : {}),
    };
    const instruments = this.telemetry.instruments();
    instruments.processDuration.record(seconds, attributes);
    instruments.consumed.add(1, attributes);
  }
}
