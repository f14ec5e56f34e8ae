/**
 * Pushing a workflow (docs/workflows.md): the tree of FlowNodes a stub's `after([...], ...args)` builds becomes, in
 * one flow-push.lua call,
 *  1. a jid for every node, and the root's as the workflow's id;
 *  2. each parent's payload, kept in its waiting hash with its count of children until the last one succeeds;
 *  3. each leaf's payload, pushed to its queue at once: an ordinary Sidekiq job with `flow` (the root's jid) and
 *     `flow_parent` (its parent's) fields; a parent also carries `flow_children: true`;
 *  4. the tree and every node's state under the root's jid, for the data API and the dashboard.
 * Client middleware sees each node's job before it is encoded (it may change its fields, not its place in the
 * workflow: jid and the flow fields are the workflow's); a middleware that stops one fails the whole push, which
 * writes nothing. Push hooks see the push as one call of all its jobs. Unique and debounced jobs cannot be in one.
 */
import type { Clock } from '../core/clock.js';
import { type ChildDeathPolicy, FLOW_TTL_SECONDS, FlowError, type FlowNode } from '../core/flow.js';
import { encodeJob, formatSeconds, type JobPayload, newJid } from '../core/job.js';
import { nonFiniteArgument } from '../core/non-finite.js';
import type { Keys } from '../redis/keys.js';
import { isCluster, type RedisConnection } from '../redis/redis-connection.js';
import { withScripts } from '../redis/scripts.js';

/** The tree as kept for the dashboard. */
export interface FlowTreeRecord {
  readonly jid: string;
  readonly class: string;
  readonly queue: string;
  readonly args: readonly unknown[];
  readonly children: readonly FlowTreeRecord[];
}

/** A node with its jid and payload, ready to save. */
export interface PreparedNode {
  readonly jid: string;
  readonly parent: string;
  readonly className: string;
  readonly queue: string;
  readonly args: readonly unknown[];
  readonly policy: ChildDeathPolicy;
  /** The payload: complete for a leaf; for a parent without its closing brace (enqueued_at is added when pushed). */
  readonly payload: string;
  readonly children: readonly PreparedNode[];
}

/** Runs a node's job through client middleware: false when one stopped it. */
export type FlowMiddleware = (job: JobPayload, className: string, queue: string) => Promise<boolean>;

/** Jids and payloads for every node of the tree; `now` in epoch seconds. */
export async function prepareFlow(
  root: FlowNode,
  now: number,
  middleware?: FlowMiddleware,
): Promise<PreparedNode> {
  const rootJid = newJid();
  const prepare = async (node: FlowNode, jid: string, parent: string): Promise<PreparedNode> => {
    const { unique, debounce, limit: _limit, childDeath, ...options } = node.options;
    if (unique || debounce)
      throw new FlowError(`${node.className}: a job in a workflow cannot be unique or debounced`);
    const queue = options.queue ?? 'default';
    if (typeof queue !== 'string' || queue === '')
      throw new FlowError(`${node.className}: "queue" must be a non-empty string`);
    const waits = node.children.length > 0;
    // Its place in the workflow, which a middleware cannot change.
    const wiring = {
      jid,
      flow: rootJid,
      ...(parent ? { flow_parent: parent } : {}),
      ...(waits ? { flow_children: true } : {}),
    };
    let job = {
      retry: true,
      queue,
      ...options,
      args: [...node.args],
      class: node.className,
      ...wiring,
      created_at: now,
    } as JobPayload;
    if (middleware) {
      if (!(await middleware(job, node.className, queue))) {
        throw new FlowError(
          `client middleware stopped ${node.className}'s job: a workflow is pushed whole or not at all`,
        );
      }
      if (typeof job.queue !== 'string' || job.queue === '')
        throw new FlowError(`${node.className}: client middleware left "queue" empty or not a string`);
      job = { ...job, ...wiring };
    }
    let text: string;
    try {
      text = encodeJob(waits ? job : { ...job, enqueued_at: now });
    } catch (error) {
      throw new FlowError(`${node.className} has arguments JSON cannot carry: ${(error as Error).message}`);
    }
    const nonFinite = nonFiniteArgument(text, job.args);
    if (nonFinite) throw new FlowError(`${node.className} has arguments JSON cannot carry: ${nonFinite}`);
    const children: PreparedNode[] = [];
    for (const child of node.children) children.push(await prepare(child, newJid(), jid));
    return {
      jid,
      parent,
      className: node.className,
      queue: job.queue as string,
      args: Array.isArray(job.args) ? job.args : node.args,
      policy: childDeath === 'ignore' ? 'ignore' : 'fail',
      payload: waits ? text.slice(0, -1) : text,
      children,
    };
  };
  if (root.children.length === 0) throw new FlowError(`${root.className}: a workflow needs children`);
  return prepare(root, rootJid, '');
}

export function treeRecordOf(node: PreparedNode): FlowTreeRecord {
  return {
    jid: node.jid,
    class: node.className,
    queue: node.queue,
    args: node.args,
    children: node.children.map(treeRecordOf),
  };
}

/** Saves and starts the workflow; resolves to its id, the root's jid. */
export async function pushFlow(
  redis: RedisConnection,
  keys: Keys,
  clock: Clock,
  root: FlowNode,
  middleware?: FlowMiddleware,
): Promise<string> {
  if (isCluster(redis)) throw new FlowError('workflows are not supported on a Redis Cluster yet');
  const now = clock.now() / 1000;
  const prepared = await prepareFlow(root, now, middleware);
  const parents: string[] = [];
  const leaves: string[] = [];
  const visit = (node: PreparedNode) => {
    if (node.children.length === 0) {
      leaves.push(node.queue, node.jid, node.payload);
      return;
    }
    parents.push(
      node.jid,
      node.parent,
      node.className,
      String(node.children.length),
      node.queue,
      node.policy,
      JSON.stringify(node.children.map((child) => child.jid)),
      node.payload,
    );
    for (const child of node.children) visit(child);
  };
  visit(prepared);
  const tree = JSON.stringify(treeRecordOf(prepared));
  await withScripts(redis).sidepunchFlowPush(
    keys.queues,
    keys.flows,
    keys.flowPrefix,
    keys.queuePrefix,
    prepared.jid,
    formatSeconds(now),
    String(FLOW_TTL_SECONDS),
    tree,
    String(parents.length / 8),
    ...parents,
    ...leaves,
  );
  return prepared.jid;
}
