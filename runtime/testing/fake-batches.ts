/**
 * Batches in the testing modes (docs/batches.md, docs/testing.md): the same rules as batch-settle.lua, in memory.
 * A job pushed in a jobs block joins the batch; its run settles it (a job that throws is never retried here, so it
 * counts as gone to the dead set); each event fires once, its callback recorded (fake) or performed at once (inline).
 */
import type { BatchStore, NewBatch } from '../client/batch.js';
import { BatchError } from '../client/batch.js';
import type { BatchEvent, BatchMemberOutcome } from '../core/batch-scope.js';
import type { JobPayload } from '../core/job.js';
import { formatSeconds } from '../core/job.js';
import { processWide } from '../core/process-wide.js';
import { recordFakeJob } from './fake-jobs.js';
import { performJob } from './perform-job.js';

interface MemoryBatch {
  readonly batch: NewBatch;
  total: number;
  open: number;
  readonly pending: Set<string>;
  readonly failed: Set<string>;
  readonly dead: Set<string>;
  readonly fired: Partial<Record<BatchEvent, number>>;
}

type Mode = 'fake' | 'inline';

// One store per process, whichever copy of sidepunch/testing pushed (core/process-wide.ts).
const batches = processWide('fakeBatches', () => new Map<string, MemoryBatch>());

export class MemoryBatchStore implements BatchStore {
  constructor(private readonly mode: Mode) {}

  async create(batch: NewBatch): Promise<void> {
    if (batch.parent) joinMemoryBatch(batch.parent, [`batch:${batch.bid}`]);
    batches.set(batch.bid, {
      batch,
      total: 0,
      open: 1,
      pending: new Set(),
      failed: new Set(),
      dead: new Set(),
      fired: {},
    });
  }

  async open(bid: string): Promise<void> {
    const found = batches.get(bid);
    if (!found) throw new BatchError(`batch ${bid} does not exist (it expired, or was never saved)`);
    if (found.fired.success !== undefined)
      throw new BatchError(`batch ${bid} succeeded already: no job can join it`);
    found.open++;
  }

  close(bid: string): Promise<void> {
    return settleMemoryBatch(bid, '', 'close', this.mode);
  }
}

export function joinMemoryBatch(bid: string, members: readonly string[]): void {
  const found = batches.get(bid);
  if (!found) return;
  for (const member of members) found.pending.add(member);
  found.total += members.length;
}

/** batch-settle.lua's rules; callbacks go where the mode sends jobs. */
export async function settleMemoryBatch(
  bid: string,
  member: string,
  kind: BatchMemberOutcome | 'close',
  mode: Mode,
): Promise<void> {
  const due: JobPayload[] = [];
  let next: { bid: string; member: string; kind: BatchMemberOutcome | 'close' } | undefined = {
    bid,
    member,
    kind,
  };
  while (next) {
    const outcome = step(next.bid, next.member, next.kind, due);
    const parent: string | undefined = batches.get(next.bid)?.batch.parent;
    next = outcome && parent ? { bid: parent, member: `batch:${next.bid}`, kind: outcome } : undefined;
  }
  for (const job of due) {
    if (mode === 'inline') await performJob(job, 'inline');
    else recordFakeJob(job, undefined);
  }
}

function step(
  bid: string,
  member: string,
  kind: BatchMemberOutcome | 'close',
  due: JobPayload[],
): BatchMemberOutcome | undefined {
  const found = batches.get(bid);
  if (!found) return undefined;
  if (kind === 'close') found.open--;
  else {
    if (!found.pending.has(member)) return undefined;
    if (kind === 'success') {
      found.pending.delete(member);
      found.failed.delete(member);
    } else {
      found.failed.add(member);
      if (kind === 'death') found.dead.add(member);
    }
  }
  const now = Date.now() / 1000;
  const fire = (event: BatchEvent): boolean => {
    if (found.fired[event] !== undefined) return false;
    found.fired[event] = now;
    const template = found.batch.callbacks[event];
    if (template) {
      const status = {
        bid,
        event,
        total: found.total,
        pending: found.pending.size,
        failures: found.failed.size,
      };
      const text = `${template.payload},"batch_callback":${JSON.stringify(status)},"enqueued_at":${formatSeconds(now)}}`;
      due.push(JSON.parse(text) as JobPayload);
    }
    return true;
  };
  let outcome: BatchMemberOutcome | undefined;
  if (kind === 'death' && fire('death')) outcome = 'death';
  if (found.open > 0) return outcome;
  if (found.pending.size === found.failed.size && fire('complete') && found.pending.size > 0)
    outcome ??= 'failure';
  if (found.pending.size === 0 && fire('success')) outcome = 'success';
  return outcome;
}

/** A batch as the testing modes hold it: for assertions in tests. */
export interface FakeBatch {
  readonly bid: string;
  readonly description: string;
  readonly total: number;
  readonly pending: number;
  readonly failures: number;
  /** When each event fired, epoch seconds. */
  readonly fired: Readonly<Partial<Record<BatchEvent, number>>>;
}

/** Every batch created in the testing modes, oldest first. */
export function fakeBatches(): FakeBatch[] {
  return [...batches.values()].map((found) => ({
    bid: found.batch.bid,
    description: found.batch.description,
    total: found.total,
    pending: found.pending.size,
    failures: found.failed.size,
    fired: { ...found.fired },
  }));
}

/** Forgets every batch (clearAll does too). */
export function clearBatches(): void {
  batches.clear();
}
