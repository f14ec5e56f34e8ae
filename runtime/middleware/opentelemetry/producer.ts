/**
 * The producer side, around every `push` and `pushBulk` call:
 *  1. a push hook starts one PRODUCER span per call, `send <queue>`, a child of the caller's active span; a bulk
 *     push is one span with `messaging.batch.message_count`, a single push carries its jid;
 *  2. a client middleware writes that span's context into each job through the registered propagator: with the
 *     W3C one, `traceparent` (and `tracestate`, `baggage`) as top-level payload fields, as Ruby's
 *     opentelemetry-instrumentation-sidekiq does, so a Ruby or a Sidepunch worker continues the trace;
 *  3. the span ends with Redis' reply, ERROR when the push failed; the duration and the job count go to the meter.
 * The poller's and the API's moves of stored jobs are left alone: the context their payload carries stays.
 */
import type * as Api from '@opentelemetry/api';
import type { JobPayload } from '../../core/job.js';
import type { ClientContext, ClientMiddlewareObject, ClientNext } from '../client-middleware.js';
import type { PushCall, PushedJids, PushHook } from '../push-hooks.js';
import { ATTR, errorType, type SpanNaming, SYSTEM, spanName } from './conventions.js';
import { jobSetter, type Telemetry } from './telemetry.js';

export class ProducerInstrumentation implements ClientMiddlewareObject {
  private readonly spans = new WeakMap<PushCall, Api.Span>();

  constructor(
    private readonly telemetry: Telemetry,
    private readonly naming: SpanNaming,
  ) {}

  readonly pushHook: PushHook = async (call, push) => {
    const { api, tracer } = this.telemetry;
    const parent = api.context.active();
    const span = tracer.startSpan(
      spanName('send', this.naming, call.queue, call.className),
      {
        kind: api.SpanKind.PRODUCER,
        attributes: {
          [ATTR.system]: SYSTEM,
          [ATTR.operationName]: 'send',
          [ATTR.operationType]: 'send',
          [ATTR.destination]: call.queue,
          [ATTR.jobClass]: call.className,
          ...(call.bulk ? { [ATTR.batchCount]: call.count } : {}),
        },
      },
      parent,
    );
    this.spans.set(call, span);
    const started = performance.now();
    let jids: PushedJids | undefined;
    let failure: { error: unknown } | undefined;
    try {
      // Active while the jobs are pushed, so an instrumented Redis client's spans are its children.
      jids = await api.context.with(api.trace.setSpan(parent, span), push);
      return jids;
    } catch (error) {
      failure = { error };
      this.telemetry.fail(span, error);
      throw error;
    } finally {
      if (failure) span.setAttribute(ATTR.errorType, errorType(failure.error));
      span.end();
      this.record(call, (performance.now() - started) / 1000, jids, failure);
    }
  };

  /** Writes the call's span context into the job; a job pushed by no call (the poller, the API) keeps its own. */
  call(job: JobPayload, next: ClientNext, context: ClientContext): Promise<void> {
    const span = context.call && this.spans.get(context.call);
    if (span) {
      if (!context.call!.bulk && typeof job.jid === 'string') span.setAttribute(ATTR.messageId, job.jid);
      const { api } = this.telemetry;
      api.propagation.inject(api.trace.setSpan(api.context.active(), span), job, jobSetter);
    }
    return next();
  }

  private record(
    call: PushCall,
    seconds: number,
    jids: PushedJids | undefined,
    failure: { error: unknown } | undefined,
  ): void {
    const attributes: Api.Attributes = {
      [ATTR.system]: SYSTEM,
      [ATTR.operationName]: 'send',
      [ATTR.operationType]: 'send',
      [ATTR.destination]: call.queue,
      ...(failure ? { [ATTR.errorType]: errorType(failure.error) } : {}),
    };
    const instruments = this.telemetry.instruments();
    instruments.sendDuration.record(seconds, attributes);
    // The jobs it tried to save: those no client middleware stopped, or all of them when the push failed.
    const tried = jids ? jids.filter((jid) => jid !== undefined).length : call.count;
    if (tried > 0) instruments.sent.add(tried, attributes);
  }
}
