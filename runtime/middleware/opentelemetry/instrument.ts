/**
 * OpenTelemetry instrumentation, opt-in with one line: `await instrumentOpenTelemetry()` in an app that pushes
 * jobs, and in the registry's `configureServer` for `sidepunch-run`.
 *  1. load `@opentelemetry/api` (an optional peer dependency, imported only here and only when called): without
 *     it, a one-line error says what to install;
 *  2. put the producer first in the push hooks and the client middleware, and the consumer first in the server
 *     middleware, so their spans cover the other middleware, as Ruby's instrumentation prepends its own;
 *  3. a second call replaces the first; `uninstall()` takes them out.
 * What it records goes to the tracer and meter providers the app registers (an SDK); without one, nothing.
 */
import { clientMiddleware } from '../client-middleware.js';
import { pushHooks } from '../push-hooks.js';
import { type ServerMiddlewareObject, serverMiddleware } from '../server-middleware.js';
import { ConsumerInstrumentation } from './consumer.js';
import type { Propagation, SpanNaming } from './conventions.js';
import { ProducerInstrumentation } from './producer.js';
import { type OpenTelemetryApi, Telemetry } from './telemetry.js';

export interface OpenTelemetryOptions {
  /**
   * How a job's `process` span relates to the push that enqueued it, as Ruby's `propagation_style`: 'link' (the
   * default, as Ruby's: a trace of its own, linked to the push), 'child' (one trace from push to perform), 'none'.
   */
  readonly propagation?: Propagation;
  /** The second word of span names: the queue (default, `send default`) or the class (`send HardWorker`). */
  readonly spanNames?: SpanNaming;
}

export interface OpenTelemetryInstrumentation {
  /** The server middleware that records `process` spans: add it to `testingServerMiddleware` for inline tests. */
  readonly serverMiddleware: ServerMiddlewareObject;
  /** Takes the instrumentation out of the chains. */
  uninstall(): void;
}

let installed: OpenTelemetryInstrumentation | undefined;

export async function instrumentOpenTelemetry(
  options: OpenTelemetryOptions = {},
): Promise<OpenTelemetryInstrumentation> {
  const propagation = options.propagation ?? 'link';
  if (!['link', 'child', 'none'].includes(propagation)) {
    throw new Error(`sidepunch: propagation must be 'link', 'child' or 'none', not ${String(propagation)}`);
  }
  const naming = options.spanNames ?? 'queue';
  if (naming !== 'queue' && naming !== 'jobClass') {
    throw new Error(`sidepunch: spanNames must be 'queue' or 'jobClass', not ${String(naming)}`);
  }
  const telemetry = new Telemetry(await loadApi());
  const producer = new ProducerInstrumentation(telemetry, naming);
  const consumer = new ConsumerInstrumentation(telemetry, naming, propagation);
  installed?.uninstall();
  const removals = [
    pushHooks.prepend(producer.pushHook),
    clientMiddleware.prepend(producer),
    serverMiddleware.prepend(consumer),
  ];
  const instrumentation: OpenTelemetryInstrumentation = {
    serverMiddleware: consumer,
    uninstall() {
      for (const remove of removals) remove();
      if (installed === instrumentation) installed = undefined;
    },
  };
  installed = instrumentation;
  return instrumentation;
}

const API_PACKAGE = '@opentelemetry/api';

async function loadApi(): Promise<OpenTelemetryApi> {
  try {
    return await import('@opentelemetry/api');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(API_PACKAGE)) {
      throw new Error(
        `sidepunch: instrumentOpenTelemetry needs ${API_PACKAGE}: npm install ${API_PACKAGE} (and an OpenTelemetry SDK to export what it records)`,
      );
    }
    throw error;
  }
}
