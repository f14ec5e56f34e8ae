/**
 * What a batch is to the code on both sides (docs/batches.md): the scope a jobs block runs in (pushes made inside it
 * join the batch), the handle a job of a batch gets as `this.batch`, the status a callback gets as
 * `this.batchCallback`, and the expiry. The client (client/batch.ts) and the runtime (server/batch-outcome.ts)
 * build on these.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { processWide } from './process-wide.js';

/** A batch's keys live this long after its creation or its last jobs block (Sidekiq Pro's 30 days). */
export const BATCH_TTL_SECONDS = 30 * 24 * 60 * 60;

/** The events a batch fires, each at most once. */
export type BatchEvent = 'complete' | 'success' | 'death';

/** How a member's run counts: the completer's dispositions and the testing modes map onto these. */
export type BatchMemberOutcome = 'success' | 'failure' | 'death';

/** What a job of a batch sees as `this.batch`: its batch's id, and a jobs block to add jobs to it. */
export interface BatchHandle {
  readonly bid: string;
  /** Runs `block`; every job pushed inside it (and any batch created inside it) joins this batch. */
  jobs<T>(block: () => T | Promise<T>): Promise<Awaited<T>>;
}

/** What a callback job sees as `this.batchCallback`: the batch's status when the event fired. */
export interface BatchCallbackInfo {
  readonly bid: string;
  readonly event: BatchEvent;
  /** Members ever added (jobs, and child batches as one each). */
  readonly total: number;
  /** Members that have not succeeded. */
  readonly pending: number;
  /** Members that failed and have not succeeded since. */
  readonly failures: number;
}

/**
 * A jobs block as the code inside it sees it: its batch, and the pushes started in it that have not settled. The
 * block waits for them before it ends, so a push the block started without awaiting it (`rows.forEach((row) =>
 * jobs.X.performAsync(row))`) joins the batch before the batch can finish, as Sidekiq's synchronous pushes do.
 */
export class BatchScope {
  private readonly running = new Set<Promise<void>>();

  constructor(readonly bid: string) {}

  /**
   * Runs `work` (a push, or a nested batch's block), counted until it settles. Its promise stays the caller's own:
   * a rejection nobody awaits is still reported as unhandled.
   */
  async track<T>(work: () => Promise<T>): Promise<T> {
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.running.add(settled);
    try {
      return await work();
    } finally {
      this.running.delete(settled);
      settle();
    }
  }

  /** Resolves once every push started in the block has settled, those started meanwhile included. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}

// One scope per process, whichever copy of sidepunch pushes (core/process-wide.ts); `batchScopes`: it holds a
// BatchScope (the key `batchScope` held the bid alone).
const scope = processWide('batchScopes', () => new AsyncLocalStorage<BatchScope | undefined>());

/** The jobs block this code runs in, if any. */
export function currentBatchScope(): BatchScope | undefined {
  return scope.getStore();
}

/** The bid of the jobs block this code runs in, if any. */
export function currentBatchId(): string | undefined {
  return scope.getStore()?.bid;
}

/** Runs `block` with pushes joining the block's batch (undefined: joining none, as a job's own `perform` runs). */
export function inBatchScope<T>(block: BatchScope | undefined, run: () => T): T {
  return scope.run(block, run);
}

/** The job's `bid` field, when it is a member of a batch. */
export function batchIdOf(job: Readonly<Record<string, unknown>>): string | undefined {
  return typeof job.bid === 'string' && job.bid !== '' ? job.bid : undefined;
}

/** The job's `batch_callback` field, when it is a batch's callback. */
export function batchCallbackOf(job: Readonly<Record<string, unknown>>): BatchCallbackInfo | undefined {
  const field = job.batch_callback as Partial<BatchCallbackInfo> | null | undefined;
  if (!field || typeof field !== 'object' || typeof field.bid !== 'string') return undefined;
  const event = field.event;
  if (event !== 'complete' && event !== 'success' && event !== 'death') return undefined;
  return {
    bid: field.bid,
    event,
    total: Number(field.total ?? 0),
    pending: Number(field.pending ?? 0),
    failures: Number(field.failures ?? 0),
  };
}
