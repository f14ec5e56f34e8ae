/**
 * Batch jobs' outcomes, counted in their batches in the completer's MULTI (docs/batches.md): success on an
 * acknowledgement, failure on a retry or a drop (`retry: false`, discarded), death on the dead set. One
 * batch-settle.lua call per batch per write, which counts each member once and pushes the callbacks whose condition
 * it sees reached. A rescheduled job (over its limit) has no outcome yet.
 */
import { type BatchMemberOutcome, batchIdOf } from '../core/batch-scope.js';
import { formatSeconds, parseObject } from '../core/job.js';
import type { SlotBatch } from '../redis/slot-batch.js';
import type { RuntimeContext } from './actor-context.js';
import type { Disposition } from './job-retry.js';

/** Cheap test on the payload text before any parsing: most jobs are in no batch. */
const MARKER = '"bid":';

/** Whether a job, as the executor parsed it, belongs to a batch: its outcome is counted there. */
export function inBatch(job: Readonly<Record<string, unknown>>): boolean {
  return job.bid !== undefined;
}

/** The outcomes of one write, by batch: member, outcome, member, outcome, … */
export class BatchOutcomes {
  private readonly byBatch = new Map<string, string[]>();

  constructor(private readonly ctx: RuntimeContext) {}

  /** `parsed`: the job as the executor read it, when it ran; else the payload text is read here. */
  add(raw: string, disposition: Disposition, parsed?: Readonly<Record<string, unknown>>): void {
    if (parsed ? !inBatch(parsed) : !raw.includes(MARKER)) return;
    if (this.ctx.redis.isCluster) return;
    const outcome = memberOutcome(disposition);
    if (!outcome) return;
    const job = parsed ?? parseObject(raw);
    if (!job) return;
    const bid = batchIdOf(job);
    if (bid === undefined || typeof job.jid !== 'string') return;
    const members = this.byBatch.get(bid);
    if (members) members.push(job.jid, outcome);
    else this.byBatch.set(bid, [job.jid, outcome]);
  }

  /** Queues one settle per batch on `batch`. */
  write(batch: SlotBatch): void {
    if (this.byBatch.size === 0) return;
    const { keys, clock } = this.ctx;
    const now = formatSeconds(clock.now() / 1000);
    for (const [bid, members] of this.byBatch) {
      batch.script(
        'sidepunchBatchSettle',
        keys.queues,
        keys.batchPrefix,
        keys.queuePrefix,
        now,
        bid,
        ...members,
      );
    }
  }
}

function memberOutcome(disposition: Disposition): BatchMemberOutcome | undefined {
  switch (disposition.kind) {
    case 'ack':
      return disposition.failed ? 'failure' : 'success';
    case 'retry':
      return 'failure';
    case 'kill':
      return 'death';
    case 'reschedule':
      return undefined;
  }
}
