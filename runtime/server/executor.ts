/**
 * Executor: performs one unit of work and says how it ended; it writes nothing to Redis.
 *  1. parse the payload (else: unperformable, with the reason) and find its class in the registry (else: failed,
 *     as Sidekiq's NameError, so it is retried);
 *  2. check the arguments with the registry's generated validator, when it has one, upgrading a job pushed with
 *     an older generation of them (upgrade.ts); a job over its worker's
 *     `limit` is not run (job-limits.ts: it is rescheduled); a unique job held until it
 *     starts releases its lock (unique-release.ts, the one write made here);
 *  3. `new` the worker, set its jid (and a workflow parent's `children`, read from Redis: flow-children.ts), await
 *     `perform(...args)` inside the server middleware chain, when there is one (a middleware that does not call
 *     `next` skips the job: it counts as done), all in the job's scope (job-context.ts), so an error thrown from its
 *     timers or callbacks fails it as if perform had thrown it; a workflow child's result is kept for its parent;
 *  4. log start and finish with class, jid and elapsed time (a failure with its stack: the first frames, all of them
 *     at log level debug), and emit the matching event.
 */

import { setBatchFields } from '../client/batch-fields.js';
import { type ChildResult, type FlowFields, flowFieldsOf } from '../core/flow.js';
import { type JobPayload, parseJob } from '../core/job.js';
import { logJobLine } from '../core/logger.js';
import { lookupWorker, type Registry } from '../core/registry.js';
import { describeError, stackLines } from '../core/thrown-value.js';
import { isEnforceableTimeout } from '../core/timeout.js';
import { checkArgs, describeRejection } from '../core/upgrade.js';
import { periodicTickOf, type WorkerClass } from '../core/worker.js';
import type { MiddlewareChain } from '../middleware/chain.js';
import {
  runServerMiddleware,
  type ServerMiddleware,
  serverMiddleware,
} from '../middleware/server-middleware.js';
import type { RuntimeContext } from './actor-context.js';
import { loadChildren } from './flow-children.js';
import { JobScope, runInScope } from './job-context.js';
import { ADMITTED, type Admission, type Admitted, JobLimits } from './job-limits.js';
import { releaseAtStart } from './unique-release.js';
import type { UnitOfWork } from './unit-of-work.js';
import { ended, type RunningJob } from './work-state.js';

/** Stack frames a failed job's line shows at log level info; debug shows all. */
const FRAMES_AT_INFO = 3;

/** A run that passed its worker's `timeout`. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/**
 * A job whose class the registry lacks. Sidekiq raises NameError here and retries the job, so this is a failure,
 * not a dead end: in a mixed Ruby/TypeScript fleet or a rolling deploy, another process may know the class.
 */
export class UnknownWorkerError extends Error {
  override name = 'UnknownWorkerError';
}

/** Error classes recorded on payloads that could not be performed at all (shown by Sidekiq's Web UI). */
export const UNPERFORMABLE = {
  invalidPayload: 'Sidepunch::InvalidPayload',
  invalidArguments: 'Sidepunch::InvalidArguments',
} as const;

export type Outcome =
  /** `result`: for a workflow's child, what perform returned, as JSON. */
  | { readonly kind: 'done'; readonly job: JobPayload; readonly result?: string }
  /** `upgradedArgs`: the arguments an upgrade step gave the job (upgrade.ts), which its retry or dead entry stores. */
  | {
      readonly kind: 'failed';
      readonly job: JobPayload;
      readonly error: unknown;
      readonly upgradedArgs?: readonly unknown[];
    }
  /** Stopped by shutdown: left in the in-progress list, to go back to its queue unchanged. */
  | { readonly kind: 'interrupted' }
  /** Not run: over its worker's limit (job-limits.ts); rescheduled for `at`, its retry count untouched. */
  | { readonly kind: 'over-limit'; readonly limiter: string; readonly at: number }
  | {
      readonly kind: 'unperformable';
      readonly errorClass: string;
      readonly reason: string;
      /** The payload as an object, when it was one. */
      readonly object?: Record<string, unknown>;
    };

/** One run of `perform`: what its end needs (the scope to close, the timer to clear, the limiter slot to release). */
interface PerformRun {
  readonly running: RunningJob;
  readonly job: JobPayload;
  readonly flow: FlowFields | undefined;
  readonly admission: Admitted;
  readonly scope: JobScope;
  /** The clock when the job began, for its elapsed time. */
  readonly started: number;
  /** Server middleware wraps perform. */
  readonly chained: boolean;
  readonly logInfo: boolean;
  timer: NodeJS.Timeout | undefined;
  /** What perform returned (a workflow's child keeps it). */
  result: unknown;
}

export class Executor {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly registry: Registry,
    private readonly middleware: MiddlewareChain<ServerMiddleware> = serverMiddleware,
    private readonly limits: JobLimits = new JobLimits(ctx),
  ) {}

  /**
   * How the job ended. A job that needs no Redis before `perform` (no limit, no unique-until-start lock, not a
   * workflow's parent) and whose `perform` returns at once is settled synchronously: no promise at all, which on
   * Node 20 also spares the job scope's AsyncLocalStorage hook its calls for each one.
   */
  execute(running: RunningJob): Outcome | Promise<Outcome> {
    const unit = running.unit;
    const parsed = parseJob(unit.raw, unit.exactBytes);
    if (!parsed.ok)
      return this.unperformable(unit, UNPERFORMABLE.invalidPayload, parsed.reason, parsed.object);
    let job = parsed.job;
    const workerClass = lookupWorker(this.registry, job.class);
    if (!workerClass) {
      const error = new UnknownWorkerError(
        `no worker class "${job.class}" in the registry ${this.ctx.config.registryPath}`,
      );
      this.ctx.logger.warn(`fail: ${describeError(error)}`, { class: job.class, jid: job.jid ?? '' });
      return { kind: 'failed', job, error };
    }
    const verdict = checkArgs(this.registry, workerClass, job.class, job.args);
    if (verdict.kind === 'rejected') {
      const reason = `arguments do not match ${job.class}.perform: ${describeRejection(verdict)}`;
      return this.unperformable(unit, UNPERFORMABLE.invalidArguments, reason, job);
    }
    if (verdict.kind === 'upgraded') {
      // An ordinary job from here on: a retry or the dead set stores the upgraded arguments.
      job = { ...job, args: verdict.args };
      this.ctx.logger.debug(`arguments upgraded from generation ${verdict.from}`, {
        class: job.class,
        jid: job.jid ?? '',
      });
      return withUpgradedArgs(this.run(running, job, workerClass), verdict.args);
    }
    return this.run(running, job, workerClass);
  }

  private run(running: RunningJob, job: JobPayload, workerClass: WorkerClass): Outcome | Promise<Outcome> {
    const flow = flowFieldsOf(job);
    // Nothing waited for since the manager read the clock: the job's elapsed time counts from its start.
    if (JobLimits.unlimited(workerClass) && job.unique_until !== 'start' && !flow?.isParent)
      return this.perform(running, job, workerClass, flow, ADMITTED, undefined, running.performStart);
    return this.prepareThenPerform(running, job, workerClass, flow);
  }

  /** What a job may need from Redis before it runs: its limiter's room, its lock released, its children read. */
  private async prepareThenPerform(
    running: RunningJob,
    job: JobPayload,
    workerClass: WorkerClass,
    flow: FlowFields | undefined,
  ): Promise<Outcome> {
    const jid = job.jid ?? '';
    let admission: Admission;
    try {
      admission = await this.limits.admit(job, workerClass, running.shutdownSignal);
    } catch (error) {
      // Redis refused the limiter's script, or the option is malformed: a failure, retried as any other.
      this.ctx.logger.warn(`fail: ${describeError(error)}`, { class: job.class, jid });
      return { kind: 'failed', job, error };
    }
    if (admission.over) {
      this.ctx.logger.info(`over the limit of "${admission.limiter}": rescheduled`, {
        class: job.class,
        jid,
      });
      return { kind: 'over-limit', limiter: admission.limiter, at: admission.at };
    }
    if (job.unique_until === 'start') await releaseAtStart(this.ctx, job);
    let children: ChildResult<string, unknown>[] | undefined;
    if (flow?.isParent) {
      try {
        children = await loadChildren(this.ctx.redis, this.ctx.keys, jid);
      } catch (error) {
        admission.release();
        this.ctx.logger.warn(`fail: ${describeError(error)}`, { class: job.class, jid });
        return { kind: 'failed', job, error };
      }
    }
    return this.perform(running, job, workerClass, flow, admission, children, this.ctx.clock.now());
  }

  /**
   * Runs `perform` in the job's scope; synchronous when it returns at once, a promise when it returns one. `started`:
   * the clock when the job began, for its elapsed time. The callbacks a promise needs are made only for one
   * (settleLater), so a job that settles at once allocates none.
   */
  private perform(
    running: RunningJob,
    job: JobPayload,
    workerClass: WorkerClass,
    flow: FlowFields | undefined,
    admission: Admitted,
    children: ChildResult<string, unknown>[] | undefined,
    started: number,
  ): Outcome | Promise<Outcome> {
    const { logger, events } = this.ctx;
    running.performStart = started;
    const jid = job.jid ?? '';
    const logInfo = logger.enabled('info');
    if (logInfo) logJobLine(logger, started, 'start', job.class, jid);
    if (events.has('job:start'))
      events.emit('job:start', { jid, className: job.class, queue: running.unit.queue });
    const timeout = job.timeout ?? workerClass.sidepunchOptions?.timeout;
    const run: PerformRun = {
      running,
      job,
      flow,
      admission,
      scope: new JobScope(job.class, jid),
      started,
      chained: this.middleware.size > 0,
      logInfo,
      timer: undefined,
      result: undefined,
    };
    let performed: unknown;
    let expired: Promise<never> | undefined;
    try {
      let signal = running.shutdownSignal;
      if (isEnforceableTimeout(timeout)) ({ signal, expired } = this.armTimeout(run, timeout));
      // In the job's scope: an error thrown from its timers or callbacks fails it (crash-guard.ts).
      performed = this.invoke(run, workerClass, signal, children);
      // A perform that returned at once has finished: nothing is left to watch or to await.
      if (!isThenable(performed)) return this.succeeded(run, performed);
    } catch (error) {
      return this.threw(run, error);
    }
    return this.settleLater(run, performed, expired);
  }

  /** `new` the worker, set its fields, and call perform (inside the server middleware chain, when there is one). */
  private invoke(
    run: PerformRun,
    workerClass: WorkerClass,
    signal: AbortSignal,
    children: ChildResult<string, unknown>[] | undefined,
  ): unknown {
    const { job } = run;
    return runInScope(run.scope, () => {
      const worker = new workerClass();
      worker.jid = job.jid;
      worker.periodic = periodicTickOf(job);
      worker.signal = signal;
      setBatchFields(worker, job);
      if (children) worker.children = children;
      // No middleware (the common case): perform directly, with nothing allocated for a chain.
      if (!run.chained) return worker.perform(...job.args);
      const context = { worker, workerClass, queue: run.running.unit.queue };
      return runServerMiddleware(this.middleware, job, context, async () => {
        run.result = await worker.perform(...job.args);
      });
    });
  }

  /** The worker's `timeout`: a signal that aborts at it (or at shutdown), and a promise that rejects at it. */
  private armTimeout(run: PerformRun, timeout: number): { signal: AbortSignal; expired: Promise<never> } {
    const timeoutController = new AbortController();
    const signal = AbortSignal.any([run.running.shutdownSignal, timeoutController.signal]);
    const expired = new Promise<never>((_, reject) => {
      run.timer = setTimeout(() => {
        const error = new JobTimeoutError(`${run.job.class} ran longer than its timeout of ${timeout} s`);
        timeoutController.abort(error);
        reject(error);
      }, timeout * 1000);
    });
    return { signal, expired };
  }

  /** A perform that returned a promise: its outcome once it settles, fails, or passes its timeout. */
  private settleLater(run: PerformRun, performed: unknown, expired?: Promise<never>): Promise<Outcome> {
    const watched = run.scope.watch(performed);
    return (expired ? Promise.race([watched, expired]) : watched).then(
      (value) => this.succeeded(run, value),
      (error) => this.threw(run, error),
    );
  }

  private succeeded(run: PerformRun, performed: unknown): Outcome {
    this.cleanUp(run);
    const { job, chained } = run;
    const skipped = chained && performed === false;
    if (!chained) run.result = performed;
    const { logger, events, clock } = this.ctx;
    if (run.running.givenBack) {
      // A host that embeds the runtime lives on after stop(): this outcome is dropped and the job runs again.
      logger.info('finished after shutdown gave it back to its queue: it runs again', {
        class: job.class,
        jid: job.jid ?? '',
      });
    } else if (run.logInfo || events.has('job:done')) {
      const jid = job.jid ?? '';
      const end = ended(run.running, clock);
      const elapsedMs = end - run.started;
      if (run.logInfo) {
        const message = skipped ? 'skipped by server middleware' : 'done';
        logJobLine(logger, end, message, job.class, jid, formatElapsed(elapsedMs));
      }
      if (events.has('job:done'))
        events.emit('job:done', { jid, className: job.class, queue: run.running.unit.queue, elapsedMs });
    }
    // Only a workflow's child keeps its result: its parent reads it.
    if (run.flow?.parent === undefined) return { kind: 'done', job };
    return { kind: 'done', job, result: resultJson(run.result) };
  }

  private threw(run: PerformRun, error: unknown): Outcome {
    this.cleanUp(run);
    return this.failure(run.running, run.job, run.started, error);
  }

  private cleanUp(run: PerformRun): void {
    run.scope.finish();
    clearTimeout(run.timer);
    run.admission.release();
  }

  /** A run that threw: over a limit (`Limiter.within`), interrupted by shutdown, or failed. */
  private failure(running: RunningJob, job: JobPayload, started: number, error: unknown): Outcome {
    const { logger, events, clock } = this.ctx;
    const jid = job.jid ?? '';
    const end = ended(running, clock);
    const elapsedMs = end - started;
    const over = this.limits.overLimit(error, end);
    if (over) {
      logger.info(`over the limit of "${over.limiter}" (limiter.within): rescheduled`, {
        class: job.class,
        jid,
      });
      return over;
    }
    if (running.shutdownSignal.aborted) {
      logger.info(`interrupted by shutdown: ${describeError(error)}`, {
        class: job.class,
        jid,
        elapsed: formatElapsed(elapsedMs),
      });
      return { kind: 'interrupted' };
    }
    logger.warn(`fail: ${describeError(error)}`, {
      class: job.class,
      jid,
      elapsed: formatElapsed(elapsedMs),
      stack: stackLines(error, logger.enabled('debug') ? undefined : FRAMES_AT_INFO),
    });
    events.emit('job:failed', { jid, className: job.class, queue: running.unit.queue, elapsedMs, error });
    return { kind: 'failed', job, error };
  }

  private unperformable(
    unit: UnitOfWork,
    errorClass: string,
    reason: string,
    object?: Record<string, unknown>,
  ): Outcome {
    const jid = typeof object?.jid === 'string' ? object.jid : undefined;
    this.ctx.logger.error(`cannot perform job from queue "${unit.queue}": ${reason}; kept in the dead set`, {
      jid,
    });
    this.ctx.events.emit('job:unperformable', { raw: unit.raw, queue: unit.queue, reason });
    return { kind: 'unperformable', errorClass, reason, object };
  }
}

/** A failure of a job whose arguments were upgraded carries them, for its retry or dead entry. */
function withUpgradedArgs(
  outcome: Outcome | Promise<Outcome>,
  upgradedArgs: readonly unknown[],
): Outcome | Promise<Outcome> {
  const carry = (ended: Outcome): Outcome => (ended.kind === 'failed' ? { ...ended, upgradedArgs } : ended);
  return isThenable(outcome) ? outcome.then(carry) : carry(outcome);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A result JSON can carry (sidepunch-gen checks the type); anything else, or nothing, is null. */
function resultJson(result: unknown): string {
  try {
    return JSON.stringify(result) ?? 'null';
  } catch {
    return 'null';
  }
}

/** Seconds with millisecond precision, as Sidekiq's `elapsed=0.123`. */
export function formatElapsed(ms: number): string {
  // toFixed costs more than a no-op job's whole line: under a second, the text comes from a table of toFixed's own
  // results, unless `ms` is near a rounding boundary (n.5), where only toFixed knows which way it goes.
  const whole = Math.round(ms);
  if (ms >= 0 && whole < ELAPSED_TEXTS.length && Math.abs(ms - whole) < 0.49) return ELAPSED_TEXTS[whole]!;
  return (ms / 1000).toFixed(3);
}

const ELAPSED_TEXTS: readonly string[] = Array.from({ length: 1000 }, (_, ms) => (ms / 1000).toFixed(3));
