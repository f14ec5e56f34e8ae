/**
 * Which job the running code belongs to. The executor runs `perform` (and the server middleware around it) inside
 * an AsyncLocalStorage store naming the job, and Node carries the store into every timer, callback, event and
 * promise that code starts. So an error that escapes perform's own promise (thrown from a timer, a rejection nobody
 * awaits, an 'error' event with no listener), which only the process-level handlers see (crash-guard.ts), can still
 * fail the job that caused it; and a job that ends the process is named (exit-guard.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class JobScope {
  private reject?: (error: unknown) => void;
  private finished = false;

  constructor(
    readonly className: string,
    readonly jid: string,
  ) {}

  /** Settles with `run`, unless an error is blamed on the job first: then it rejects with that error. */
  watch(run: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.reject = reject;
      Promise.resolve(run).then(resolve, reject);
    });
  }

  /** The job's outcome is decided: later errors from its leftovers are only logged. */
  finish(): void {
    this.finished = true;
    this.reject = undefined;
  }

  /** Fails the running job with `error`; false when it had already finished. */
  fail(error: unknown): boolean {
    if (this.finished || !this.reject) return false;
    this.reject(error);
    return true;
  }
}

const store = new AsyncLocalStorage<JobScope>();

/** Calls `perform` with `scope` as the current job for everything it starts. */
export function runInScope<T>(scope: JobScope, perform: () => T): T {
  return store.run(scope, perform);
}

/** The job whose code is running now (or started the timer, callback or promise that is), if any. */
export function currentJob(): JobScope | undefined {
  return store.getStore();
}
