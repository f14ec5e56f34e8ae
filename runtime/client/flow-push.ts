/**
 * Pushing a workflow (docs/workflows.md): the tree of FlowNodes a stub's `after([...], ...args)` builds becomes, in
 * one flow-push.lua call,
 *  1. a jid for every node, and the root's as the workflow's id;
 *  2. each parent's payload, kept in its waiting hash with its count of children until the last one succeeds;
 *  3. each leaf's payload, pushed to its queue at once: an ordinary Sidekiq job with `flow` (the root's jid) and
 *     `flow_parent` (its parent's) fields; a parent also carries `flow_children: true`;
 *  4. the tree and every node's state under the root's jid, for the data API and the dashboard.
 * Client middleware and push hooks do not see workflow jobs; unique and debounced jobs cannot be in one.
 */
import type { Clock } from '../core/clock.js';
import { type ChildDeathPolicy, FLOW_TTL_SECONDS, FlowError, type FlowNode } from '../core/flow.js';
import { encodeJob, formatSeconds, newJid } from '../core/job.js';
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

/** Jids and payloads for every node of the tree; `now` in epoch seconds. */
export function prepareFlow(root: FlowNode, now: number): PreparedNode {
  const rootJid = newJid();
  const prepare = (node: FlowNode, jid: string, parent: string): PreparedNode => {
    const { unique, debounce, limit: _limit, childDeath, ...options } = node.options;
    if (unique || debounce)
      throw new FlowError(`${node.className}: a job in a workflow cannot be unique or debounced`);
    const queue = options.queue ?? 'default';
    if (typeof queue !== 'string' || queue === '')
      throw new FlowError(`${node.className}: "queue" must be a non-empty string`);
    const waits = node.children.length > 0;
    let text: string;
    try {
      text = encodeJob({
        retry: true,
        queue,
        ...options,
        args: node.args,
        class: node.className,
        jid,
        created_at: now,
        flow: rootJid,
        ...(parent ? { flow_parent: parent } : {}),
        ...(waits ? { flow_children: true } : { enqueued_at: now }),
      });
    } catch (error) {
      throw new FlowError(`${node.className} has arguments JSON cannot carry: ${(error as Error).message}`);
    }
    return {
      jid,
      parent,
      className: node.className,
      queue,
      args: node.args,
      policy: childDeath === 'ignore' ? 'ignore' : 'fail',
      payload: waits ? text.slice(0, -1) : text,
      children: node.children.map((child) => prepare(child, newJid(), jid)),
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
): Promise<string> {
  if (isCluster(redis)) throw new FlowError('workflows are not supported on a Redis Cluster yet');
  const now = clock.now() / 1000;
  const prepared = prepareFlow(root, now);
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
