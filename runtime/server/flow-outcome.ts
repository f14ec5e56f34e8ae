/**
 * Workflow jobs' outcomes, settled in the completer's MULTI (docs/workflows.md), one flow-settle.lua call per
 * write: a success stores the child's result in its parent and counts it there (the parent is pushed once its last
 * child is counted); a retry marks the node retrying; the dead set, or a drop (`retry: false`, discarded), is a
 * death, which fails the parent or is ignored, as the parent's `childDeath` says. A rescheduled job has no outcome.
 */
import { FLOW_DONE_TTL_SECONDS, flowFieldsOf } from '../core/flow.js';
import { formatSeconds, parseObject } from '../core/job.js';
import type { SlotBatch } from '../redis/slot-batch.js';
import type { RuntimeContext } from './actor-context.js';
import type { Disposition } from './job-retry.js';

/** Cheap test on the payload text before any parsing: most jobs are in no workflow. */
const MARKER = '"flow":';

/** Whether a job, as the executor parsed it, belongs to a workflow: its outcome settles there. */
export function inFlow(job: Readonly<Record<string, unknown>>): boolean {
  return job.flow !== undefined;
}

export class FlowOutcomes {
  /** Groups of five: root, jid, parent, outcome, detail. */
  private readonly settled: string[] = [];

  constructor(private readonly ctx: RuntimeContext) {}

  /** `parsed`: the job as the executor read it, when it ran; else the payload text is read here. */
  add(raw: string, disposition: Disposition, parsed?: Readonly<Record<string, unknown>>): void {
    if (parsed ? !inFlow(parsed) : !raw.includes(MARKER)) return;
    if (this.ctx.redis.isCluster || disposition.kind === 'reschedule') return;
    const job = parsed ?? parseObject(raw);
    if (!job) return;
    const flow = flowFieldsOf(job);
    if (!flow || typeof job.jid !== 'string' || typeof job.class !== 'string') return;
    const parent = flow.parent ?? '';
    if (disposition.kind === 'ack' && !disposition.failed) {
      const result = disposition.result ?? 'null';
      const entry = `{"jid":${JSON.stringify(job.jid)},"class":${JSON.stringify(job.class)},"result":${result}}`;
      this.settled.push(flow.root, job.jid, parent, flow.isParent ? 'parent-success' : 'success', entry);
    } else if (disposition.kind === 'retry') {
      this.settled.push(flow.root, job.jid, parent, 'failure', '');
    } else {
      this.settled.push(flow.root, job.jid, parent, 'death', job.class);
    }
  }

  write(batch: SlotBatch): void {
    if (this.settled.length === 0) return;
    const { keys, clock } = this.ctx;
    batch.script(
      'sidepunchFlowSettle',
      keys.queues,
      keys.dead,
      keys.flowPrefix,
      keys.queuePrefix,
      formatSeconds(clock.now() / 1000),
      String(FLOW_DONE_TTL_SECONDS),
      ...this.settled,
    );
  }
}
