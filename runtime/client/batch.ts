/**
 * Batches (docs/batches.md), Sidekiq Pro's model: a group of jobs with callbacks that fire once each.
 *
 *   const batch = client.batch({ description: 'import 42', onSuccess: jobs.ImportDone.with(42) });
 *   await batch.jobs(async () => {
 *     for (const row of rows) await jobs.ImportRow.performAsync(row);
 *   });
 *
 *  1. the first jobs block saves the batch (its callbacks as ready payloads), with the block counted as open; a block
 *     started while that save is under way waits for it, then opens on the saved batch;
 *  2. every push inside the block (any client, any stub) carries the batch's `bid` and joins its pending members in
 *     the push's own MULTI, so no job can finish before it is counted; the block ends once the pushes it started
 *     have settled, awaited or not;
 *  3. the block's end is settled like a member (batch-settle.lua): complete and success fire only with no block open.
 *     A block a job of the batch opens (`this.batch.jobs`) is not counted: the job, pending until its outcome is
 *     written after the block, holds the batch, so a process killed inside the block leaves nothing open;
 *  4. a batch created inside another's block (or inside a job of a batch) is one member of it; its callbacks join
 *     the parent as they fire, so the parent's callbacks wait for them (Sidekiq Pro's order).
 */
import {
  type BatchEvent,
  type BatchHandle,
  BatchScope,
  currentBatchId,
  currentBatchScope,
  inBatchScope,
} from '../core/batch-scope.js';
import type { Clock } from '../core/clock.js';
import { encodeJob, newJid } from '../core/job.js';
import { nonFiniteArgument } from '../core/non-finite.js';
import type { WorkerOptions } from '../core/worker.js';
import { pushTarget } from './default-client.js';

/** A job and its arguments, not pushed: what a stub's `with(...args)` gives, for a batch's callbacks. */
export interface JobCall {
  readonly className: string;
  readonly options: Readonly<WorkerOptions>;
  readonly args: readonly unknown[];
}

export interface BatchOptions {
  /** Shown by the data API and the dashboard. */
  readonly description?: string;
  /** Pushed once every job ran at least once (successes and failures alike). */
  readonly onComplete?: JobCall;
  /** Pushed once every job succeeded (retries included). */
  readonly onSuccess?: JobCall;
  /** Pushed once, when the first job of the batch goes to the dead set. */
  readonly onDeath?: JobCall;
}

/**
 * A callback ready to push: its payload without the closing brace (the script adds the status), its queue, and its
 * jid (a child batch's callback joins the parent batch by it, so the parent's callbacks wait for it).
 */
export interface CallbackTemplate {
  readonly payload: string;
  readonly queue: string;
  readonly jid: string;
}

export interface NewBatch {
  readonly bid: string;
  readonly description: string;
  readonly createdAt: number;
  readonly parent?: string;
  readonly callbacks: Partial<Record<BatchEvent, CallbackTemplate>>;
}

/**
 * How a jobs block holds its batch: `counted` in the batch's open blocks (closed at the block's end), or `held` by
 * the running job that opened it, a pending member of the batch whose outcome is written after the block ends.
 */
export type BlockHold = 'counted' | 'held';

/** Where batches are kept: Redis (client/batch-store.ts), or memory in the testing modes. */
export interface BatchStore {
  /** Saves a new batch with one jobs block open; in `parent`, it becomes one member. */
  create(batch: NewBatch): Promise<void>;
  /** One more jobs block on a saved batch; `memberJid`: the running job that opens it, if it is one of the batch's. */
  open(bid: string, memberJid?: string): Promise<BlockHold>;
  /** A jobs block ended: the batch may fire complete and success now. */
  close(bid: string): Promise<void>;
}

/** What a client offers batches through: the real client and the testing clients. */
export interface BatchSource {
  batchStore(): BatchStore;
  readonly batchClock: Clock;
}

export class BatchError extends Error {
  override name = 'BatchError';
}

export class Batch implements BatchHandle {
  readonly bid: string;
  private saved: boolean;
  /** The creation under way: blocks started meanwhile wait for it, then open on the saved batch. */
  private creating?: Promise<void>;

  /**
   * `existing`: the bid of a saved batch. `memberJid`: the job of that batch this handle is given to (its
   * `this.batch`); its blocks are held by the job's own membership, so a crash inside one leaves nothing open.
   */
  constructor(
    private readonly source: () => BatchSource,
    private readonly options: BatchOptions = {},
    existing?: string,
    private readonly memberJid?: string,
  ) {
    this.bid = existing ?? newJid();
    this.saved = existing !== undefined;
  }

  /** A block inside another batch's block (a nested batch) is part of that block's work, which waits for it. */
  jobs<T>(block: () => T | Promise<T>): Promise<Awaited<T>> {
    const outer = currentBatchScope();
    return outer ? outer.track(() => this.runBlock(block)) : this.runBlock(block);
  }

  /** The block ends once it returned and every push it started has settled (awaited or not); then it closes. */
  private async runBlock<T>(block: () => T | Promise<T>): Promise<Awaited<T>> {
    const source = this.source();
    const store = source.batchStore();
    const hold = await this.openBlock(source, store);
    const scope = new BatchScope(this.bid);
    try {
      return await inBatchScope(scope, async () => await block());
    } finally {
      await scope.idle();
      if (hold === 'counted') await store.close(this.bid);
    }
  }

  /** The first block saves the batch; any other (even one started while the save is under way) opens on it. */
  private async openBlock(source: BatchSource, store: BatchStore): Promise<BlockHold> {
    while (this.creating) await this.creating.catch(() => {});
    if (this.saved) return store.open(this.bid, this.memberJid);
    this.creating = store.create(this.describe(source.batchClock.now() / 1000));
    try {
      await this.creating;
      this.saved = true;
      return 'counted';
    } finally {
      this.creating = undefined;
    }
  }

  private describe(now: number): NewBatch {
    const callbacks: Partial<Record<BatchEvent, CallbackTemplate>> = {};
    const calls = {
      complete: this.options.onComplete,
      success: this.options.onSuccess,
      death: this.options.onDeath,
    };
    for (const [event, call] of Object.entries(calls) as [BatchEvent, JobCall | undefined][]) {
      if (call) callbacks[event] = callbackTemplate(call, now);
    }
    return {
      bid: this.bid,
      description: this.options.description ?? '',
      createdAt: now,
      parent: currentBatchId(),
      callbacks,
    };
  }
}

/** A new batch on the client behind the stubs (the testing modes' in fake or inline mode). */
export function batch(options: BatchOptions = {}): Batch {
  return new Batch(defaultSource, options);
}

/** A saved batch, by its bid, on the client behind the stubs: see `Client.openBatch`. */
export function openBatch(bid: string): Batch {
  return new Batch(defaultSource, {}, bid);
}

/** The batch a job belongs to, as its `this.batch` (`memberJid`: the job's jid). */
export function existingBatch(bid: string, memberJid?: string): Batch {
  return new Batch(defaultSource, {}, bid, memberJid);
}

function defaultSource(): BatchSource {
  const target = pushTarget() as Partial<BatchSource>;
  if (typeof target.batchStore !== 'function') throw new BatchError('this client does not support batches');
  return target as BatchSource;
}

/** The callback's payload as the client would write it (options, args, class, jid, created_at), brace left open. */
function callbackTemplate(call: JobCall, now: number): CallbackTemplate {
  // As a push's payload (client.ts prepare): what the runtime reads from the worker class stays off the wire.
  const {
    unique: _unique,
    limit: _limit,
    debounce: _debounce,
    childDeath: _childDeath,
    ...options
  } = call.options;
  const queue = options.queue ?? 'default';
  if (typeof queue !== 'string' || queue === '')
    throw new BatchError(`callback ${call.className}: "queue" must be a non-empty string`);
  const jid = newJid();
  let text: string;
  try {
    text = encodeJob({
      retry: true,
      queue,
      ...options,
      args: call.args,
      class: call.className,
      jid,
      created_at: now,
    });
  } catch (error) {
    throw new BatchError(
      `callback ${call.className} has arguments JSON cannot carry: ${(error as Error).message}`,
    );
  }
  const nonFinite = nonFiniteArgument(text, call.args);
  if (nonFinite)
    throw new BatchError(`callback ${call.className} has arguments JSON cannot carry: ${nonFinite}`);
  return { payload: text.slice(0, -1), queue, jid };
}
