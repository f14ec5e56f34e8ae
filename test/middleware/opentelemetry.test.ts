/**
 * The OpenTelemetry instrumentation on a real Redis, with the runtime in this process and the SDK's in-memory
 * exporters: spans and metrics of real pushes and performs, and the payload fields Ruby's
 * opentelemetry-instrumentation-sidekiq reads and writes.
 */
import {
  context,
  createTraceState,
  metrics,
  propagation,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/client/client.js';
import { workerStub } from '../../runtime/client/stub.js';
import type { SidepunchWorker } from '../../runtime/core/worker.js';
import { clientMiddleware } from '../../runtime/middleware/client-middleware.js';
import {
  instrumentOpenTelemetry,
  type OpenTelemetryInstrumentation,
  type OpenTelemetryOptions,
} from '../../runtime/middleware/opentelemetry/instrument.js';
import { pushHooks } from '../../runtime/middleware/push-hooks.js';
import { serverMiddleware } from '../../runtime/middleware/server-middleware.js';
import {
  disable,
  inline,
  registerWorkers,
  testingServerMiddleware,
} from '../../runtime/testing/sidepunch-testing.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const fixture = useRedis();
const exporter = new InMemorySpanExporter();
/** A second exporter behind a batch processor that exports only when flushed, as a production set-up does. */
const batched = new InMemorySpanExporter();
const batch = new BatchSpanProcessor(batched, { scheduledDelayMillis: 3_600_000 });
const simple = new SimpleSpanProcessor(exporter);
const tracerProvider = new BasicTracerProvider({ spanProcessors: [simple, batch] });
/** Deltas: each collection holds what was recorded since the one before. */
const reader = new CollectingReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
const meterProvider = new MeterProvider({ readers: [reader] });
/** What each perform saw: its jid, the active span and the baggage it was given. */
const seen: { jid: string; span?: SpanContext; baggage?: string }[] = [];
let runtime: InProcessRuntime | undefined;
let instrumentation: OpenTelemetryInstrumentation | undefined;

beforeAll(() => {
  // What an app's SDK set-up registers (NodeSDK does all four).
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
});
afterAll(async () => {
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});
afterEach(async () => {
  instrumentation?.uninstall();
  instrumentation = undefined;
  await runtime?.stop();
  runtime = undefined;
  exporter.reset();
  seen.length = 0;
  expect([pushHooks.size, clientMiddleware.size, serverMiddleware.size]).toEqual([0, 0, 0]);
});

class Report implements SidepunchWorker {
  static sidepunchOptions = { queue: 'reports' };
  jid?: string;
  async perform(what: string): Promise<void> {
    seen.push({
      jid: this.jid!,
      span: trace.getActiveSpan()?.spanContext(),
      baggage: propagation.getBaggage(context.active())?.getEntry('tenant')?.value,
    });
    if (what === 'fail') throw new TypeError('the report broke');
    if (what === 'fan out')
      await new Client({ redis: fixture.server.url }).push({ class: Report, args: ['child'] });
  }
}

/** Ignores its signal: it returns only when the test lets it. */
class Stuck implements SidepunchWorker {
  static sidepunchOptions = { queue: 'reports', timeout: 0.2 };
  static release = () => {};
  perform(): Promise<void> {
    return new Promise((resolve) => {
      Stuck.release = resolve;
    });
  }
}

async function instrument(options: OpenTelemetryOptions = {}): Promise<void> {
  instrumentation = await instrumentOpenTelemetry(options);
}

function start(): InProcessRuntime {
  runtime = startInProcess(fixture.server.url, { Report, Stuck }, { queues: ['reports'] });
  return runtime;
}

async function spans(): Promise<ReadableSpan[]> {
  await simple.forceFlush();
  return exporter.getFinishedSpans();
}

const named = (all: ReadableSpan[], name: string) => all.filter((span) => span.name === name);

/** Pushes `args` and resolves once every job it causes (`jobs` of them) was acknowledged or failed. */
async function pushAndRun(push: () => Promise<unknown>, jobs = 1): Promise<void> {
  const { next } = runtime ?? start();
  let left = jobs;
  const finished = next('complete:flushed', (flushed) => {
    left -= flushed.count;
    return left <= 0;
  });
  await push();
  await finished;
}

/** The one stored copy of a job, as Redis holds it (in its queue, or the retry set after a failure). */
async function storedPayload(): Promise<Record<string, unknown>> {
  const [raw] = await fixture.redis.lrange('queue:reports', 0, -1);
  return JSON.parse(raw!);
}

describe('OpenTelemetry instrumentation', () => {
  it('a push is a PRODUCER span whose context the payload carries as Ruby’s top-level traceparent', async () => {
    await instrument();
    const jid = await fixture.client.push({ class: Report, args: ['ok'] });
    const [send] = await spans();
    expect(send!.name).toBe('send reports');
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(send!.attributes).toEqual({
      'messaging.system': 'sidekiq',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'reports',
      'messaging.sidekiq.job_class': 'Report',
      'messaging.message.id': jid,
    });
    const payload = await storedPayload();
    const { traceId, spanId } = send!.spanContext();
    // Sidekiq's own fields, then the W3C field Ruby's instrumentation injects and extracts, at the top level.
    expect(Object.keys(payload)).toEqual([
      'retry',
      'queue',
      'args',
      'class',
      'jid',
      'created_at',
      'traceparent',
      'enqueued_at',
    ]);
    expect(payload.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('a perform is a CONSUMER span in a trace of its own, linked to the push (Ruby’s default)', async () => {
    await instrument();
    let jid: string | undefined;
    await pushAndRun(async () => {
      jid = await fixture.client.push({ class: Report, args: ['ok'] });
    });
    const all = await spans();
    const [send] = named(all, 'send reports');
    const [process] = named(all, 'process reports');
    expect(process!.kind).toBe(SpanKind.CONSUMER);
    expect(process!.attributes).toEqual({
      'messaging.system': 'sidekiq',
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'reports',
      'messaging.sidekiq.job_class': 'Report',
      'messaging.message.id': jid,
    });
    expect(process!.status.code).toBe(SpanStatusCode.UNSET);
    expect(process!.parentSpanContext).toBeUndefined();
    expect(process!.spanContext().traceId).not.toBe(send!.spanContext().traceId);
    expect(process!.links.map((link) => link.context.spanId)).toEqual([send!.spanContext().spanId]);
    expect(process!.events.map((event) => event.name)).toEqual(['created_at', 'enqueued_at']);
    // perform ran with its span active.
    expect(seen[0]!.span?.spanId).toBe(process!.spanContext().spanId);
  });

  it("with propagation: 'child', push and perform are one trace, and a push inside perform continues it", async () => {
    await instrument({ propagation: 'child' });
    await pushAndRun(() => fixture.client.push({ class: Report, args: ['fan out'] }), 2);
    const all = await spans();
    // startTime is [seconds, nanoseconds]: compare numbers (`<` on arrays compares strings: "…,99000000" > "…,100000000").
    const [first, second] = named(all, 'send reports').sort(
      (a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1],
    );
    const processes = named(all, 'process reports');
    const outer = processes.find((span) => span.parentSpanContext?.spanId === first!.spanContext().spanId);
    expect(outer).toBeDefined();
    expect(second!.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId);
    const inner = processes.find((span) => span.parentSpanContext?.spanId === second!.spanContext().spanId);
    expect(inner).toBeDefined();
    expect(new Set(all.map((span) => span.spanContext().traceId)).size).toBe(1);
  });

  it('a push inside the app’s own span is its child, and its baggage and tracestate reach the worker', async () => {
    await instrument();
    const withBaggage = remoteParentWithBaggage();
    await pushAndRun(() =>
      context.with(withBaggage, () => fixture.client.push({ class: Report, args: ['ok'] })),
    );
    const [send] = named(await spans(), 'send reports');
    expect(send!.spanContext().traceId).toBe('a'.repeat(32));
    expect(send!.parentSpanContext?.spanId).toBe('b'.repeat(16));
    expect(seen[0]!.baggage).toBe('acme');
  });

  it('the payload fields: traceparent, tracestate and baggage, as Ruby’s propagators write them', async () => {
    await instrument();
    const withBaggage = remoteParentWithBaggage();
    await context.with(withBaggage, () => fixture.client.push({ class: Report, args: ['ok'] }));
    const [send] = await spans();
    const payload = await storedPayload();
    expect(payload).toMatchObject({
      traceparent: `00-${'a'.repeat(32)}-${send!.spanContext().spanId}-01`,
      tracestate: 'rojo=00f067aa0ba902b7',
      baggage: 'tenant=acme',
    });
  });

  it('a failed perform ends its span as ERROR with the exception recorded and error.type', async () => {
    await instrument();
    await pushAndRun(() => fixture.client.push({ class: Report, args: ['fail'] }));
    const [process] = named(await spans(), 'process reports');
    expect(process!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the report broke' });
    expect(process!.attributes['error.type']).toBe('TypeError');
    const exception = process!.events.find((event) => event.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'the report broke',
    });
    expect(await fixture.redis.zcard('retry')).toBe(1);
  });

  it('a job past its timeout ends its span as ERROR then, while its perform has not returned', async () => {
    await instrument();
    await pushAndRun(() => fixture.client.push({ class: Stuck, args: [] }));
    const [process] = named(await spans(), 'process reports');
    expect(process!.attributes['error.type']).toBe('JobTimeoutError');
    expect(process!.status.code).toBe(SpanStatusCode.ERROR);
    Stuck.release();
  });

  it('a bulk push is one span with the count, and every job carries its context', async () => {
    await instrument();
    await pushAndRun(() => fixture.client.pushBulk({ class: Report, args: [['a'], ['b'], ['c']] }), 3);
    const all = await spans();
    const sends = named(all, 'send reports');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.attributes['messaging.batch.message_count']).toBe(3);
    expect(sends[0]!.attributes['messaging.message.id']).toBeUndefined();
    const processes = named(all, 'process reports');
    expect(processes).toHaveLength(3);
    for (const process of processes) {
      expect(process.links.map((link) => link.context.spanId)).toEqual([sends[0]!.spanContext().spanId]);
    }
  });

  it('a job pushed by Ruby with a traceparent (retried twice) continues that trace', async () => {
    await instrument({ propagation: 'child' });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const rubySpan = '00f067aa0ba902b7';
    const payload = {
      retry: true,
      queue: 'reports',
      args: ['ok'],
      class: 'Report',
      jid: 'c0ffee00c0ffee00c0ffee00',
      created_at: 1_795_000_000.123,
      retry_count: 1,
      traceparent: `00-${traceId}-${rubySpan}-01`,
      enqueued_at: 1_795_000_001.5,
    };
    await pushAndRun(async () => {
      await fixture.redis.sadd('queues', 'reports');
      await fixture.redis.lpush('queue:reports', JSON.stringify(payload));
    });
    const [process] = named(await spans(), 'process reports');
    expect(process!.spanContext().traceId).toBe(traceId);
    expect(process!.parentSpanContext?.spanId).toBe(rubySpan);
    expect(process!.attributes['messaging.sidekiq.retry_count']).toBe(1);
    expect(process!.attributes['messaging.message.id']).toBe(payload.jid);
  });

  it('a scheduled job keeps the context of its push when the poller moves it onto its queue', async () => {
    await instrument();
    const { clock, launcher, next } = start();
    const client = new Client({ redis: fixture.server.url, clock });
    await client.push({ class: Report, args: ['later'], in: 60 });
    await client.close();
    const [send] = await spans();
    const finished = next('complete:flushed');
    clock.advance(61_000);
    await launcher.scheduler.tick();
    await finished;
    const [process] = named(await spans(), 'process reports');
    expect(process!.links.map((link) => link.context.spanId)).toEqual([send!.spanContext().spanId]);
  });

  it('names spans after the job class with spanNames: "jobClass"', async () => {
    await instrument({ spanNames: 'jobClass' });
    await pushAndRun(() => fixture.client.push({ class: Report, args: ['ok'] }));
    expect((await spans()).map((span) => span.name).sort()).toEqual(['process Report', 'send Report']);
  });

  it('a push that Redis refuses is an ERROR span', async () => {
    await instrument();
    const client = new Client({ redis: fixture.server.url });
    await fixture.redis.set('queue:reports', 'not a list');
    await expect(client.push({ class: Report, args: ['ok'] })).rejects.toThrow(/WRONGTYPE/);
    await client.close();
    const [send] = await spans();
    expect(send!.status.code).toBe(SpanStatusCode.ERROR);
    expect(send!.attributes['error.type']).toBe('PushError');
  });

  it('records push and perform durations and counts with the conventions’ names and attributes', async () => {
    await instrument();
    await reader.collect(); // what earlier tests recorded
    await pushAndRun(() => fixture.client.pushBulk({ class: Report, args: [['ok'], ['fail']] }), 2);
    const { resourceMetrics } = await reader.collect();
    const recorded = new Map(
      resourceMetrics.scopeMetrics
        .filter((scope) => scope.scope.name === 'sidepunch')
        .flatMap((scope) => scope.metrics)
        .map((metric) => [metric.descriptor.name, metric]),
    );
    const send = recorded.get('messaging.client.operation.duration')!;
    expect(send.descriptor.unit).toBe('s');
    const [sendPoint] = send.dataPoints as DataPoint<Histogram>[];
    expect(sendPoint!.attributes).toEqual({
      'messaging.system': 'sidekiq',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'reports',
    });
    expect(sendPoint!.value.count).toBe(1);
    expect(recorded.get('messaging.client.sent.messages')!.dataPoints[0]!.value).toBe(2);
    const process = recorded.get('messaging.process.duration')!;
    const byOutcome = new Map(
      (process.dataPoints as DataPoint<Histogram>[]).map((point) => [
        point.attributes['error.type'],
        point.value.count,
      ]),
    );
    expect(byOutcome).toEqual(
      new Map([
        [undefined, 1],
        ['TypeError', 1],
      ]),
    );
    const consumed = recorded.get('messaging.client.consumed.messages')!.dataPoints as DataPoint<number>[];
    expect(consumed.reduce((sum, point) => sum + point.value, 0)).toBe(2);
  });
});

describe('OpenTelemetry in sidepunch-run’s configureServer', () => {
  it('instruments the runtime, and a shutdown hook flushes a batch processor after the last job', async () => {
    await batch.forceFlush();
    batched.reset();
    runtime = startInProcess(
      fixture.server.url,
      { Report },
      {
        queues: ['reports'],
        configureServer: async (server) => {
          instrumentation = await instrumentOpenTelemetry();
          server.onShutdown(() => batch.forceFlush());
        },
      },
    );
    // Fetching begins after configureServer: from then on, pushes from this process are instrumented too.
    await runtime.next('fetch:idle');
    const done = runtime.next('complete:flushed');
    await fixture.client.push({ class: Report, args: ['ok'] });
    await done;
    expect(named(await spans(), 'process reports')).toHaveLength(1);
    // Batched spans wait for a flush: an hour, or the shutdown hook.
    expect(batched.getFinishedSpans()).toEqual([]);
    await runtime.stop();
    runtime = undefined;
    expect(
      batched
        .getFinishedSpans()
        .map((span) => span.name)
        .sort(),
    ).toEqual(['process reports', 'send reports']);
  });
});

describe('OpenTelemetry in the inline testing mode', () => {
  it('traces a stub’s push and, with its server middleware added to the testing chain, the perform', async () => {
    await instrument();
    registerWorkers({ Report });
    inline();
    testingServerMiddleware.add(instrumentation!.serverMiddleware);
    try {
      await workerStub('Report').performAsync('ok');
    } finally {
      testingServerMiddleware.clear();
      disable();
    }
    const all = await spans();
    const [send] = named(all, 'send default');
    const [process] = named(all, 'process default');
    expect(process!.links.map((link) => link.context.spanId)).toEqual([send!.spanContext().spanId]);
  });
});

/** A context whose parent span came from another process (trace a…a, span b…b, a tracestate) with baggage. */
function remoteParentWithBaggage() {
  const parent = trace.setSpanContext(context.active(), {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('rojo=00f067aa0ba902b7'),
  });
  return propagation.setBaggage(parent, propagation.createBaggage({ tenant: { value: 'acme' } }));
}
