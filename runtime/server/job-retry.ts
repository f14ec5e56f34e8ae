/**
 * JobRetry: decides where a job goes after its execution, with Sidekiq's semantics (docs/redis-format.md,
 * "Failures and retries").
 *  1. success: acknowledge;
 *  2. failure: tell the error handlers; `retry` falsy (payload, else the class option): drop it, only counted;
 *  3. otherwise add Sidekiq's error fields (`retry_count` 0 first, then +1; `failed_at` first, `retried_at` after;
 *     `error_class`, `error_message`, `error_backtrace` when asked) by editing the payload text in place;
 *  4. while `retry_count` < max (the integer `retry`, else 25) and, with `retry_for`, no more than that many seconds
 *     have passed since `failed_at` (Sidekiq 7.2+): retry after `count⁴ + 15 + rand(10)·(count + 1)` seconds, or
 *     `sidepunchRetryIn`'s seconds plus the same jitter; its 'discard' drops, its 'kill' exhausts;
 *  5. exhausted: `sidepunchRetriesExhausted` once (its 'discard' drops the job, as Sidekiq's :discard), the death
 *     handlers, then the dead set unless `dead: false`;
 *  6. unperformable payloads (not JSON, rejected arguments) die at once, with their reason; an unknown class is a
 *     failure like any other (Sidekiq's NameError), so another process of the fleet can perform it on retry.
 */
import { deflateSync } from 'node:zlib';
import { guarded, notifyDeath, notifyError } from '../core/handlers.js';
import { type JobPayload, toEpochSeconds } from '../core/job.js';
import { patchJob } from '../core/job-patch.js';
import { lookupWorker, type Registry } from '../core/registry.js';
import { describeError, describeThrown, stackFrames } from '../core/thrown-value.js';
import type { RetriesExhaustedAnswer, WorkerClass } from '../core/worker.js';
import type { RuntimeContext } from './actor-context.js';
import type { Outcome } from './executor.js';
import type { UnitOfWork } from './unit-of-work.js';

/** Where a job goes; the completer writes it. */
export type Disposition =
  /** Off the in-progress list, nothing else: done, dropped or discarded. */
  /** `result`: what a workflow child's perform returned, as JSON, for its parent (flow-outcome.ts). */
  | { readonly kind: 'ack'; readonly failed: boolean; readonly result?: string }
  | { readonly kind: 'retry'; readonly payload: string; readonly at: number }
  /** Over its limit: back to the schedule set unchanged, counted against the limiter. */
  | {
      readonly kind: 'reschedule';
      readonly payload: string | Buffer;
      readonly at: number;
      readonly limiter: string;
    }
  | {
      readonly kind: 'kill';
      /** Bytes only for a payload that is not UTF-8, kept as it was. */
      readonly payload: string | Buffer;
      /** For payloads that are not job objects: why, stored beside them. */
      readonly reason?: { readonly errorClass: string; readonly message: string };
      /** Counted as processed and failed (a payload that is not even a job object is not counted, as in Sidekiq). */
      readonly counted: boolean;
    };

export const DEFAULT_MAX_RETRIES = 25;

const SUCCEEDED: Disposition = Object.freeze({ kind: 'ack', failed: false });

export class JobRetry {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly registry: Registry,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Where the job goes; undefined leaves it in the in-progress list (shutdown gives it back to its queue). A job
   * that succeeded is told at once, not through a promise: that is nearly every job.
   */
  dispose(unit: UnitOfWork, outcome: Outcome): Disposition | undefined | Promise<Disposition | undefined> {
    if (outcome.kind === 'done')
      return outcome.result === undefined
        ? SUCCEEDED
        : { kind: 'ack', failed: false, result: outcome.result };
    if (outcome.kind === 'interrupted') return undefined;
    if (outcome.kind === 'over-limit')
      return { kind: 'reschedule', payload: unit.stored, at: outcome.at, limiter: outcome.limiter };
    if (outcome.kind === 'unperformable') return this.unperformable(unit, outcome);
    return this.failed(unit, outcome.job, outcome.error, outcome.upgradedArgs);
  }

  private async failed(
    unit: UnitOfWork,
    job: JobPayload,
    error: unknown,
    upgradedArgs: readonly unknown[] | undefined,
  ): Promise<Disposition> {
    const { logger, clock, config } = this.ctx;
    await notifyError(error, { job, queue: unit.queue }, logger);
    const workerClass = lookupWorker(this.registry, job.class);
    const retry = job.retry ?? workerClass?.sidepunchOptions?.retry ?? true;
    if (retry === false) {
      await notifyDeath(job, error, logger);
      return { kind: 'ack', failed: true };
    }

    const now = clock.now() / 1000;
    const max = Number.isInteger(retry) ? (retry as number) : config.maxRetries;
    const first = typeof job.retry_count !== 'number';
    const count = first ? 0 : (job.retry_count as number) + 1;
    const thrown = describeThrown(error);
    const fields: Record<string, unknown> = {
      queue: typeof job.retry_queue === 'string' && job.retry_queue !== '' ? job.retry_queue : unit.queue,
      error_message: thrown.message,
      error_class: thrown.errorClass,
      ...(first ? { failed_at: now } : { retried_at: now }),
      retry_count: count,
      // Upgraded (upgrade.ts): an ordinary job of the current generation from now on. Otherwise the arguments
      // keep every byte.
      ...(upgradedArgs ? { args: upgradedArgs } : {}),
    };
    const backtrace = backtraceLines(error, job.backtrace);
    if (backtrace) fields.error_backtrace = deflateSync(JSON.stringify(backtrace)).toString('base64');
    const payload = patchJob(unit.raw, fields);

    const failedAt = first ? now : toEpochSeconds(job.failed_at);
    const retrying = count < max && !pastRetryFor(job.retry_for, failedAt, now);
    const delay = retrying ? this.delayFor(workerClass, count, error) : 'kill';
    if (delay === 'discard') {
      logger.info(`discarded by ${job.class}.sidepunchRetryIn`, { class: job.class, jid: job.jid });
      return { kind: 'ack', failed: true };
    }
    if (delay !== 'kill') return { kind: 'retry', payload, at: now + delay };

    const dying = { ...job, ...fields };
    if ((await this.exhaustedHook(workerClass, dying, error)) === 'discard') {
      logger.info(`discarded by ${job.class}.sidepunchRetriesExhausted`, { class: job.class, jid: job.jid });
      return { kind: 'ack', failed: true };
    }
    await notifyDeath(dying, error, logger);
    if (job.dead === false) return { kind: 'ack', failed: true };
    logger.warn(`retries exhausted after ${count + 1} run(s); moved to the dead set`, {
      class: job.class,
      jid: job.jid,
    });
    return { kind: 'kill', payload, counted: true };
  }

  /** What `sidepunchRetriesExhausted` answered; one that throws is logged, and the job dies as if it had not. */
  private async exhaustedHook(
    workerClass: WorkerClass | undefined,
    dying: JobPayload,
    error: unknown,
  ): Promise<RetriesExhaustedAnswer> {
    if (!workerClass?.sidepunchRetriesExhausted) return undefined;
    let answer: RetriesExhaustedAnswer;
    await guarded(
      async () => {
        answer = await workerClass.sidepunchRetriesExhausted!(dying, error);
      },
      `${dying.class}.sidepunchRetriesExhausted`,
      this.ctx.logger,
    );
    return answer;
  }

  /** Seconds before retry `count`, with Sidekiq's jitter; or what `sidepunchRetryIn` decided instead. */
  private delayFor(
    workerClass: WorkerClass | undefined,
    count: number,
    error: unknown,
  ): number | 'discard' | 'kill' {
    let delay = count ** 4 + 15;
    if (workerClass?.sidepunchRetryIn) {
      try {
        const answer = workerClass.sidepunchRetryIn(count, error);
        if (answer === 'discard' || answer === 'kill') return answer;
        if (typeof answer === 'number' && Number.isFinite(answer) && answer > 0) delay = answer;
      } catch (hookError) {
        this.ctx.logger.error(
          `${workerClass.name}.sidepunchRetryIn threw, using the default delay: ${describeError(hookError)}`,
        );
      }
    }
    return delay + Math.floor(this.random() * 10) * (count + 1);
  }

  private unperformable(unit: UnitOfWork, outcome: Extract<Outcome, { kind: 'unperformable' }>): Disposition {
    if (!outcome.object) {
      return {
        kind: 'kill',
        payload: unit.stored,
        reason: { errorClass: outcome.errorClass, message: outcome.reason },
        counted: false,
      };
    }
    const fields: Record<string, unknown> = {
      error_message: outcome.reason,
      error_class: outcome.errorClass,
    };
    if (outcome.object.failed_at === undefined) fields.failed_at = this.ctx.clock.now() / 1000;
    return { kind: 'kill', payload: patchJob(unit.raw, fields), counted: true };
  }
}

/** Sidekiq 7.2+'s `retry_for`: more than that many seconds since the first failure, and the job is exhausted. */
function pastRetryFor(retryFor: unknown, failedAt: number | undefined, now: number): boolean {
  return typeof retryFor === 'number' && failedAt !== undefined && failedAt + retryFor < now;
}

/** The stack's frames, all of them for `backtrace: true`, the first N for a number; none otherwise. */
function backtraceLines(error: unknown, option: unknown): string[] | undefined {
  if (option === undefined || option === null || option === false) return undefined;
  const frames = stackFrames(error);
  return typeof option === 'number' ? frames.slice(0, Math.max(0, option)) : frames;
}
