/**
 * Structured-log middleware (a shipped example of server middleware): one JSON line when a job starts and one
 * when it finishes, with jid, class, queue, duration in seconds and outcome (`done` or `failed`, with the error),
 * for log pipelines that read JSON. Add it in the registry's `configureServer`.
 */
import type { JobPayload } from '../core/job.js';
import type { LogSink } from '../core/logger.js';
import { describeError } from '../core/thrown-value.js';
import type { ServerContext, ServerMiddlewareObject, ServerNext } from './server-middleware.js';

export class StructuredLogMiddleware implements ServerMiddlewareObject {
  constructor(
    private readonly sink: LogSink = process.stdout,
    private readonly now: () => number = Date.now,
  ) {}

  async call(job: Readonly<JobPayload>, next: ServerNext, context: ServerContext): Promise<void> {
    const fields = { jid: job.jid, class: job.class, queue: context.queue };
    const started = this.now();
    this.write({ event: 'job.start', ...fields });
    try {
      await next();
    } catch (error) {
      this.write({
        event: 'job.finish',
        ...fields,
        duration: this.secondsSince(started),
        outcome: 'failed',
        error: describeError(error),
      });
      throw error;
    }
    this.write({ event: 'job.finish', ...fields, duration: this.secondsSince(started), outcome: 'done' });
  }

  private secondsSince(started: number): number {
    return (this.now() - started) / 1000;
  }

  private write(record: Record<string, unknown>): void {
    this.sink.write(`${JSON.stringify({ time: new Date(this.now()).toISOString(), ...record })}\n`);
  }
}
