/**
 * Batches in the testing modes (docs/batches.md, docs/testing.md): the same rules as batch-settle.lua, in memory.
 * A job pushed in a jobs block joins the batch; its run settles it (a job that throws is never retried here, so it
 * counts as gone to the dead set, or as failed when the runtime would drop it: perform-job.ts); each event fires once,
 * its callback recorded (fake) or performed at once (inline).
 */
import type { BatchStore, BlockHold, NewBatch } from '../client/batch.js';
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

  async open(bid: string, memberJid?: string): Promise<BlockHold> {
    const found = batches.get(bid);
    if (!found) throw new BatchError(`batch ${bid} does not exist (it expired, or was never saved)`);
    if (found.fired.success !== undefined)
      throw new BatchError(`batch ${bid} succeeded already: no job can join it`);
    if (memberJid !== undefined && found.pending.has(memberJid)) return 'held';
    found.open++;
    return 'counted';
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

/** How a member counts: its outcome, a jobs block's end, or (from a child batch to its parent) a death inside it. */
type MemberKind = BatchMemberOutcome | 'close' | 'child-death';

/** What a batch passes on to its parent after a step: batch-settle.lua's check(). */
interface StepResult {
  /** 'success' or 'failure' once the batch has run to its end. */
  readonly outcome?: 'success' | 'failure';
  /** Its death event fired just now. */
  readonly deathFired: boolean;
}

/** batch-settle.lua's rules; callbacks go where the mode sends jobs. */
export async function settleMemoryBatch(
  bid: string,
  member: string,
  kind: BatchMemberOutcome | 'close',
  mode: Mode,
): Promise<void> {
  const due: JobPayload[] = [];
  let current = bid;
  let result = step(bid, [[member, kind]], due);
  while (result.outcome || result.deathFired) {
    const parent = batches.get(current)?.batch.parent;
    if (!parent) break;
    const kinds: [string, MemberKind][] = [];
    if (result.deathFired) kinds.push([`batch:${current}`, 'child-death']);
    if (result.outcome) kinds.push([`batch:${current}`, result.outcome]);
    current = parent;
    result = step(parent, kinds, due);
  }
  for (const job of due) {
    if (mode === 'inline') await performJob(job, 'inline');
    else recordFakeJob(job, undefined);
  }
}

/** Counts one member's kind in a found batch; returns whether it changed anything. */
function record(found: MemoryBatch, member: string, kind: MemberKind): boolean {
  if (kind === 'close') {
    found.open--;
    return true;
  }
  if (!found.pending.has(member)) return false;
  if (kind === 'child-death') found.dead.add(member);
  else if (kind === 'success') {
    found.pending.delete(member);
    found.failed.delete(member);
  } else {
    found.failed.add(member);
    if (kind === 'death') found.dead.add(member);
  }
  return true;
}

function step(bid: string, members: readonly [string, MemberKind][], due: JobPayload[]): StepResult {
  const found = batches.get(bid);
  if (!found) return { deathFired: false };
  let changed = false;
  let died = false;
  for (const [member, kind] of members) {
    if (!record(found, member, kind)) continue;
    changed = true;
    if (kind === 'death' || kind === 'child-death') died = true;
  }
  if (!changed) return { deathFired: false };
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
      // A child batch's complete and success callbacks join its parent, pending there while they run (not counted
      // in its total), and the parent's callbacks wait for them (batch-settle.lua's fire()).
      const parent =
        found.batch.parent === undefined || event === 'death' ? undefined : batches.get(found.batch.parent);
      parent?.pending.add(template.jid);
      const member = parent ? `,"bid":${JSON.stringify(parent.batch.bid)}` : '';
      const text = `${template.payload},"batch_callback":${JSON.stringify(status)}${member},"enqueued_at":${formatSeconds(now)}}`;
      due.push(JSON.parse(text) as JobPayload);
    }
    return true;
  };
  const deathFired = died && fire('death');
  if (found.open > 0) return { deathFired };
  let outcome: StepResult['outcome'];
  if (found.pending.size === found.failed.size && fire('complete') && found.pending.size > 0)
    outcome = 'failure';
  if (found.pending.size === 0 && fire('success')) outcome = 'success';
  return { outcome, deathFired };
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
