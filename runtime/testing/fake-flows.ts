/**
 * Workflows in the testing modes (docs/workflows.md, docs/testing.md): the same rules as flow-settle.lua, in memory.
 * The leaves are recorded as fake jobs (fake) or performed at once (inline); a child's success stores its result in
 * its parent, and the parent is recorded or performed once its last child is counted, with its children's results
 * as `this.children`. The testing modes never retry, so a child that throws has died: it fails its parent (the
 * parent never runs) or, with `childDeath: 'ignore'`, is left out; in inline mode every leaf still runs, and the
 * first error reaches the caller at the end of the push.
 */
import { type FlowMiddleware, type PreparedNode, prepareFlow } from '../client/flow-push.js';
import type { ChildDeathPolicy, ChildResult, FlowNode, FlowNodeState } from '../core/flow.js';
import { flowFieldsOf } from '../core/flow.js';
import { formatSeconds, type JobPayload } from '../core/job.js';
import { processWide } from '../core/process-wide.js';
import { recordFakeJob } from './fake-jobs.js';
import { performJob } from './perform-job.js';

type Mode = 'fake' | 'inline';

interface MemoryParent {
  readonly className: string;
  readonly parent: string;
  readonly policy: ChildDeathPolicy;
  /** Its job text without the closing brace. */
  readonly payload: string;
  readonly order: readonly string[];
  /** Child jid → its result, or null for a child that died. */
  readonly results: Map<string, ChildResult<string, unknown> | null>;
  pending: number;
  killed: boolean;
}

interface MemoryFlow {
  readonly root: string;
  readonly states: Map<string, FlowNodeState>;
}

const store = processWide('fakeFlows', () => ({
  parents: new Map<string, MemoryParent>(),
  flows: new Map<string, MemoryFlow>(),
}));

/** Saves the workflow in memory and starts its leaves; resolves to its id, the root's jid. */
export async function pushMemoryFlow(
  root: FlowNode,
  mode: Mode,
  middleware?: FlowMiddleware,
): Promise<string> {
  const prepared = await prepareFlow(root, Date.now() / 1000, middleware);
  const states = new Map<string, FlowNodeState>();
  store.flows.set(prepared.jid, { root: prepared.jid, states });
  const leaves: PreparedNode[] = [];
  const visit = (node: PreparedNode) => {
    if (node.children.length === 0) {
      leaves.push(node);
      states.set(node.jid, 'pending');
      return;
    }
    states.set(node.jid, 'waiting');
    store.parents.set(node.jid, {
      className: node.className,
      parent: node.parent,
      policy: node.policy,
      payload: node.payload,
      order: node.children.map((child) => child.jid),
      results: new Map(),
      pending: node.children.length,
      killed: false,
    });
    for (const child of node.children) visit(child);
  };
  visit(prepared);
  // Every leaf runs, as on Redis; in inline mode the first error reaches the caller once they all ran.
  let failed: { error: unknown } | undefined;
  for (const leaf of leaves) {
    try {
      await start(JSON.parse(leaf.payload) as JobPayload, mode);
    } catch (error) {
      failed ??= { error };
    }
  }
  if (failed) throw failed.error;
  return prepared.jid;
}

/** A parent's `this.children`, in the order given; the ones that died are left out. */
export function memoryChildren(jid: string): ChildResult<string, unknown>[] | undefined {
  const parent = store.parents.get(jid);
  if (!parent) return undefined;
  return parent.order.flatMap((child) => {
    const result = parent.results.get(child);
    return result ? [result] : [];
  });
}

/** A job of a workflow ran: `result` when it succeeded, `died` when it threw. */
export async function settleMemoryFlow(
  job: JobPayload,
  outcome: { readonly result: unknown } | 'died',
  mode: Mode,
): Promise<void> {
  const flow = flowFieldsOf(job);
  const jid = job.jid ?? '';
  if (!flow) return;
  const states = store.flows.get(flow.root)?.states;
  states?.set(jid, outcome === 'died' ? 'dead' : 'succeeded');
  if (!flow.parent) return;
  if (outcome !== 'died') {
    const entry = { jid, class: job.class, result: JSON.parse(JSON.stringify(outcome.result) ?? 'null') };
    return count(flow.parent, jid, entry, states, mode);
  }
  // Died: up the tree while each parent fails with its child.
  let child = jid;
  let parentJid = flow.parent;
  while (parentJid) {
    const parent = store.parents.get(parentJid);
    if (!parent || parent.results.has(child)) return;
    if (parent.policy === 'ignore') return count(parentJid, child, null, states, mode);
    parent.results.set(child, null);
    if (parent.killed) return;
    parent.killed = true;
    states?.set(parentJid, 'dead');
    child = parentJid;
    parentJid = parent.parent;
  }
}

/** Each workflow pushed in the testing modes: its id and every node's state, for assertions in tests. */
export function fakeWorkflows(): {
  readonly id: string;
  readonly states: Readonly<Record<string, FlowNodeState>>;
}[] {
  return [...store.flows.values()].map((flow) => ({
    id: flow.root,
    states: Object.fromEntries(flow.states),
  }));
}

/** Forgets every workflow (clearAll does too). */
export function clearWorkflows(): void {
  store.parents.clear();
  store.flows.clear();
}

async function count(
  parentJid: string,
  child: string,
  entry: ChildResult<string, unknown> | null,
  states: Map<string, FlowNodeState> | undefined,
  mode: Mode,
): Promise<void> {
  const parent = store.parents.get(parentJid);
  if (!parent || parent.results.has(child)) return;
  parent.results.set(child, entry);
  if (parent.killed || --parent.pending > 0) return;
  states?.set(parentJid, 'pending');
  const now = formatSeconds(Date.now() / 1000);
  await start(JSON.parse(`${parent.payload},"enqueued_at":${now}}`) as JobPayload, mode);
}

async function start(job: JobPayload, mode: Mode): Promise<void> {
  if (mode === 'fake') recordFakeJob(job, undefined);
  else await performJob(job, 'inline');
}
