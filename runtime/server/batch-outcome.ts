/**
 * A batch job's outcome, counted in its batch in the completer's MULTI (docs/batches.md): success on an
 * acknowledgement, failure on a retry or a drop (`retry: false`, discarded), death on the dead set. batch-settle.lua
 * counts each member once and pushes the callbacks whose condition it sees reached. A rescheduled job (over its
 * limit) has no outcome yet.
 */
import { type BatchMemberOutcome, batchIdOf } from '../core/batch.js';
import { formatSeconds } from '../core/job.js';
import type { SlotBatch } from '../redis/slot-batch.js';
import type { RuntimeContext } from './actor-context.js';
import type { Disposition } from './job-retry.js';

/** Cheap test on the payload text before any parsing: most jobs are in no batch. */
const MARKER = '"bid":';

export function settleInBatch(
  ctx: RuntimeContext,
  batch: SlotBatch,
  raw: string,
  disposition: Disposition,
): void {
  if (!raw.includes(MARKER) || ctx.redis.isCluster) return;
  const outcome = memberOutcome(disposition);
  if (!outcome) return;
  let job: Record<string, unknown>;
  try {
    job = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return;
  }
  const bid = batchIdOf(job);
  if (bid === undefined || typeof job.jid !== 'string') return;
  const { keys, clock } = ctx;
  batch
    .on(keys.queues)
    .sidepunchBatchSettle(
      keys.queues,
      keys.batchPrefix,
      keys.queuePrefix,
      bid,
      job.jid,
      outcome,
      formatSeconds(clock.now() / 1000),
    );
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
