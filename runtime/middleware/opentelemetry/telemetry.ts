/**
 * What both sides record with: the loaded `@opentelemetry/api`, its tracer, the metric instruments, and the job
 * payload as a propagation carrier. The tracer is a proxy that follows the tracer provider registered later; a
 * meter is not, so the instruments are made from whichever meter provider is registered at the time of use.
 */
import type * as Api from '@opentelemetry/api';
import { sidepunchVersion } from '../../core/version.js';
import { DURATION_BUCKETS, METRIC } from './conventions.js';

export type OpenTelemetryApi = typeof Api;

const SCOPE = 'sidepunch';

export interface Instruments {
  readonly sendDuration: Api.Histogram;
  readonly sent: Api.Counter;
  readonly processDuration: Api.Histogram;
  readonly consumed: Api.Counter;
}

export class Telemetry {
  readonly tracer: Api.Tracer;
  private readonly instrumentsByProvider = new WeakMap<Api.MeterProvider, Instruments>();

  constructor(readonly api: OpenTelemetryApi) {
    this.tracer = api.trace.getTracer(SCOPE, sidepunchVersion());
  }

  instruments(): Instruments {
    const provider = this.api.metrics.getMeterProvider();
    let instruments = this.instrumentsByProvider.get(provider);
    if (!instruments) {
      instruments = createInstruments(provider.getMeter(SCOPE, sidepunchVersion()));
      this.instrumentsByProvider.set(provider, instruments);
    }
    return instruments;
  }

  /** Marks `span` failed by `error`, as the conventions ask: the exception recorded, status ERROR. */
  fail(span: Api.Span, error: unknown): void {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: this.api.SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

function createInstruments(meter: Api.Meter): Instruments {
  const advice = { explicitBucketBoundaries: DURATION_BUCKETS };
  return {
    sendDuration: meter.createHistogram(METRIC.sendDuration, {
      description: 'Duration of a push of jobs to Redis, from client middleware to the reply.',
      unit: 's',
      advice,
    }),
    sent: meter.createCounter(METRIC.sent, {
      description: 'Jobs a push tried to save.',
      unit: '{message}',
    }),
    processDuration: meter.createHistogram(METRIC.processDuration, {
      description: 'Duration of a job’s perform.',
      unit: 's',
      advice,
    }),
    consumed: meter.createCounter(METRIC.consumed, {
      description: 'Jobs handed to perform.',
      unit: '{message}',
    }),
  };
}

/** Writes propagation fields as top-level fields of the job, where Ruby's instrumentation puts them. */
export const jobSetter: Api.TextMapSetter<Record<string, unknown>> = {
  set(job, key, value) {
    job[key] = value;
  },
};

/** Reads them back; a field that is not a string carries no context. */
export const jobGetter: Api.TextMapGetter<Readonly<Record<string, unknown>>> = {
  keys: (job) => Object.keys(job),
  get(job, key) {
    const value = job[key];
    return typeof value === 'string' ? value : undefined;
  },
};
