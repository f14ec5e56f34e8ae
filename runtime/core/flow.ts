/**
 * What a workflow is to the code on both sides (docs/workflows.md), BullMQ's flows typed: a tree of jobs where a
 * parent runs only after all its children succeeded, and reads their results as `this.children`. The client
 * (client/flow-push.ts) pushes a tree of FlowNodes; the runtime (server/flow-outcome.ts) settles each node.
 */
import type { WorkerOptions } from './worker.js';

/** A workflow's keys live this long after its push, while it runs. */
export const FLOW_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Once its root succeeded or died, its tree and states live this much longer (the dashboard shows them). */
export const FLOW_DONE_TTL_SECONDS = 7 * 24 * 60 * 60;

/** What becomes of a parent when one of its children goes to the dead set (`sidepunchOptions.childDeath`). */
export type ChildDeathPolicy = 'fail' | 'ignore';

/** A node's state, as the data API and the dashboard show it. */
export type FlowNodeState = 'waiting' | 'pending' | 'retrying' | 'succeeded' | 'dead';

/**
 * A job of a workflow, not pushed: what `jobs.X.child(...args)` gives. `C` is the class name, which a parent's
 * `after([...])` checks against the classes it declares in `children`.
 */
export interface FlowNode<C extends string = string> {
  readonly className: C;
  readonly options: Readonly<WorkerOptions>;
  readonly args: readonly unknown[];
  readonly children: readonly FlowNode[];
}

/** What a worker's `perform` resolves to. */
export type ResultOf<W> = W extends { perform(...args: never[]): infer R } ? Awaited<R> : never;

/** One child's result, as a parent sees it. */
export interface ChildResult<C extends string, R> {
  readonly jid: string;
  readonly class: C;
  readonly result: R;
}

/** A result as its parent reads it back from JSON: no result (`void`, `undefined`, `never`) is `null`. */
export type StoredResult<R> = [R] extends [never] ? null : R extends void ? null : R;

/**
 * A parent's view of its children: `declare readonly children: ChildResults<Fetch>` (one class), or
 * `ChildResults<{ Fetch: Fetch; Parse: Parse }>` (several, discriminated by `class`). sidepunch-gen reads the
 * declaration to learn which classes the parent takes; the runtime sets the field before `perform`, in the order
 * the children were given. A child that died under `childDeath: 'ignore'` is left out.
 */
export type ChildResults<W> = [W] extends [{ perform(...args: never[]): unknown }]
  ? readonly ChildResult<string, StoredResult<ResultOf<W>>>[]
  : readonly { [K in keyof W & string]: ChildResult<K, StoredResult<ResultOf<W[K]>>> }[keyof W & string][];

/** A job's workflow fields: `flow` (its root's jid), `flow_parent` (its parent's), `flow_children` (a parent). */
export interface FlowFields {
  readonly root: string;
  readonly parent?: string;
  readonly isParent: boolean;
}

export function flowFieldsOf(job: Readonly<Record<string, unknown>>): FlowFields | undefined {
  if (typeof job.flow !== 'string' || job.flow === '') return undefined;
  const parent = typeof job.flow_parent === 'string' && job.flow_parent !== '' ? job.flow_parent : undefined;
  return { root: job.flow, ...(parent ? { parent } : {}), isParent: job.flow_children === true };
}

export class FlowError extends Error {
  override name = 'FlowError';
}
