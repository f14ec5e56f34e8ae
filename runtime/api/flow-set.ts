/**
 * Workflows (docs/workflows.md), as the data API and the Workflows page show them: the tree as pushed, each node
 * with its state (waiting for its children, pending, retrying, succeeded, dead), and counts by state. Read from the
 * workflow's tree and state keys under its root's jid; a workflow whose records expired is gone from the list.
 */
import type { FlowTreeRecord } from '../client/flow-push.js';
import type { FlowNodeState } from '../core/flow.js';
import type { ApiConnection } from './api-connection.js';

export interface FlowNodeRecord {
  readonly jid: string;
  readonly class: string;
  readonly queue: string;
  readonly args: readonly unknown[];
  /** `unknown` when the state is not recorded (a record written by a newer version). */
  readonly state: FlowNodeState | 'unknown';
  readonly children: readonly FlowNodeRecord[];
}

export interface FlowRecord {
  /** The workflow's id: its root's jid. */
  readonly id: string;
  /** Epoch seconds. */
  readonly pushedAt: number;
  /** The root's state: the workflow's. */
  readonly state: FlowNodeState | 'unknown';
  /** Nodes, and how many are in each state. */
  readonly total: number;
  readonly counts: Readonly<Partial<Record<FlowNodeState, number>>>;
  readonly tree: FlowNodeRecord;
  /** Seconds until its records expire (-1: no expiry). */
  readonly expiresIn: number;
}

/** Most workflows a listing reads. */
const LIST_LIMIT = 200;
const STATES = new Set<string>(['waiting', 'pending', 'retrying', 'succeeded', 'dead']);

export class FlowSet {
  constructor(private readonly connection: ApiConnection) {}

  /** One workflow by its id (the root's jid), or undefined when its records expired or it never existed. */
  async get(id: string): Promise<FlowRecord | undefined> {
    const { redis, keys } = this.connection;
    const [tree, states, pushedAt, ttl] = await Promise.all([
      redis.get(keys.flowTree(id)),
      redis.hgetall(keys.flowState(id)),
      redis.zscore(keys.flows, id),
      redis.ttl(keys.flowTree(id)),
    ]);
    if (tree === null) return undefined;
    const counts: Partial<Record<FlowNodeState, number>> = {};
    let total = 0;
    const withStates = (node: FlowTreeRecord): FlowNodeRecord => {
      const stored = states[node.jid];
      const state = stored !== undefined && STATES.has(stored) ? (stored as FlowNodeState) : 'unknown';
      total++;
      if (state !== 'unknown') counts[state] = (counts[state] ?? 0) + 1;
      return { ...node, state, children: node.children.map(withStates) };
    };
    const root = withStates(JSON.parse(tree) as FlowTreeRecord);
    return {
      id,
      pushedAt: Number(pushedAt ?? 0),
      state: root.state,
      total,
      counts,
      tree: root,
      expiresIn: ttl,
    };
  }

  /** The workflows, newest first (at most 200); expired ones are dropped from the index as they are met. */
  async all(limit = LIST_LIMIT): Promise<FlowRecord[]> {
    const { redis, keys } = this.connection;
    const ids = await redis.zrevrange(keys.flows, 0, limit - 1);
    const records: FlowRecord[] = [];
    const gone: string[] = [];
    for (const id of ids) {
      const record = await this.get(id);
      if (record) records.push(record);
      else gone.push(id);
    }
    if (gone.length > 0) await redis.zrem(keys.flows, ...gone);
    return records;
  }
}
