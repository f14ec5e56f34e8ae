/**
 * The typed enqueue API that `sidepunch-gen` generates one of per worker:
 * `jobs.X.performAsync(...args)`, `performIn(seconds, ...args)`, `performAt(when, ...args)`,
 * `performBulk([[...args], ...])` and `set({ queue, retry })`. The generated file only names the class,
 * its parameter types and its options, so an app that enqueues never loads worker code.
 */

import { FlowError, type FlowNode } from '../core/flow.js';
import type { WorkerOptions } from '../core/worker.js';
import type { JobCall } from './batch.js';
import type { PushJob } from './client.js';
import { type ClientSource, pushTarget, setPushTarget } from './default-client.js';
import type { PushOutcome } from './unique-push.js';

/**
 * `Name` is the class name, `Children` the classes a workflow parent declares in `children` (never: not a parent).
 * Both come from sidepunch-gen, so a child of a class the parent does not take is a compile error.
 */
export interface WorkerStub<
  Args extends readonly unknown[],
  Name extends string = string,
  Children extends string = never,
> {
  readonly className: string;
  readonly options: Readonly<WorkerOptions>;
  /** Enqueue now; resolves to the jid (undefined when a client middleware stopped the push). */
  performAsync(...args: Args): Promise<string | undefined>;
  /** Enqueue to run `seconds` from now. */
  performIn(seconds: number, ...args: Args): Promise<string | undefined>;
  /** Enqueue to run at a Date or epoch seconds; a past time runs at once. */
  performAt(when: Date | number, ...args: Args): Promise<string | undefined>;
  /**
   * Enqueue many in one round trip; resolves to their jids in order (undefined where a middleware stopped one).
   * The lists may be readonly (`performBulk([[1, 'a'], [2, 'b']] as const)`): nothing here writes to them.
   */
  performBulk(argLists: readonly Readonly<Args>[]): Promise<(string | undefined)[]>;
  /** The same stub with some options overridden for the next pushes (`set({ unique: false })` bypasses uniqueness). */
  set(overrides: WorkerOptions): WorkerStub<Args, Name, Children>;
  /**
   * The same pushes, resolving to what became of the job: `{ pushed: true, jid }` (enqueued), `{ pushed: true, jid,
   * replaced, at }` (a debounced job that took the waiting one's place), or `{ pushed: false, reason }` where reason
   * is `'duplicate'` (a unique job already pending; `heldBy` is its jid), `'kept'` (a debounced job with `keep:
   * 'first'`: the waiting `pending` job kept its arguments) or `'stopped'` (middleware).
   */
  readonly withOutcome: OutcomeStub<Args>;
  /** The job and its arguments, not pushed: a batch's callback (`onSuccess: jobs.Done.with(42)`, docs/batches.md). */
  with(...args: Args): JobCall;
  /** A leaf of a workflow, not pushed: give it to a parent's `after([...])` (docs/workflows.md). */
  child(...args: Args): FlowNode<Name>;
  /**
   * A middle node of a workflow, not pushed: runs after `children`, and is itself a child of its parent. Only nodes
   * of the classes this one declares in `children` fit (none, for a class that declares no children).
   */
  childAfter(children: readonly FlowNode<Children>[], ...args: Args): FlowNode<Name>;
  /**
   * Pushes a workflow with this job as its root, run once every child (and theirs) succeeded; resolves to the
   * workflow's id, the root's jid. Only nodes of the classes this one declares in `children` fit.
   */
  after(children: readonly FlowNode<Children>[], ...args: Args): Promise<string>;
}

/** What a client offers workflows through: the real client and the testing clients. */
export interface FlowTarget {
  pushFlow(root: FlowNode): Promise<string>;
}

/** `stub.withOutcome`: pushes that tell an enqueued job from a dropped, replaced or kept one. */
export interface OutcomeStub<Args extends readonly unknown[]> {
  performAsync(...args: Args): Promise<PushOutcome>;
  performIn(seconds: number, ...args: Args): Promise<PushOutcome>;
  performAt(when: Date | number, ...args: Args): Promise<PushOutcome>;
}

export type { ClientSource };

/** Routes every stub's pushes (and `push`/`pushBulk`) through another client; returns the previous source. */
export function setStubClient(source: ClientSource): ClientSource {
  return setPushTarget(source);
}

export function workerStub<
  Args extends readonly unknown[],
  Name extends string = string,
  Children extends string = never,
>(className: Name, options: WorkerOptions = {}): WorkerStub<Args, Name, Children> {
  const push = (args: readonly unknown[], when: { at?: Date | number; in?: number }) =>
    pushTarget().push({ ...options, ...when, class: className, args: withoutTrailingUndefined(args) });
  const pushOutcome = async (args: readonly unknown[], when: { at?: Date | number; in?: number }) => {
    const job: PushJob = { ...options, ...when, class: className, args: withoutTrailingUndefined(args) };
    const target = pushTarget();
    if ('pushOutcome' in target && typeof target.pushOutcome === 'function')
      return (target.pushOutcome as (job: PushJob) => Promise<PushOutcome>)(job);
    const jid = await target.push(job);
    return jid === undefined
      ? ({ pushed: false, reason: 'stopped' } as const)
      : ({ pushed: true, jid } as const);
  };
  const node = (children: readonly FlowNode[], args: readonly unknown[]): FlowNode<Name> => ({
    className,
    options,
    args: withoutTrailingUndefined(args),
    children,
  });
  const after = (children: readonly FlowNode[], args: readonly unknown[]) => {
    const target = pushTarget() as Partial<FlowTarget>;
    if (typeof target.pushFlow !== 'function')
      return Promise.reject(new FlowError('this client does not support workflows'));
    return target.pushFlow(node(children, args));
  };
  return {
    className,
    options,
    child: (...args) => node([], args),
    childAfter: (children, ...args) => node(children, args),
    after: (children, ...args) => after(children, args),
    withOutcome: {
      performAsync: (...args) => pushOutcome(args, {}),
      performIn: (seconds, ...args) => pushOutcome(args, { in: seconds }),
      performAt: (when, ...args) => pushOutcome(args, { at: when }),
    },
    performAsync: (...args) => push(args, {}),
    performIn: (seconds, ...args) => push(args, { in: seconds }),
    performAt: (when, ...args) => push(args, { at: when }),
    performBulk: (argLists) =>
      pushTarget().pushBulk({ ...options, class: className, args: argLists.map(withoutTrailingUndefined) }),
    with: (...args) => ({ className, options, args: withoutTrailingUndefined(args) }),
    set: (overrides) => workerStub<Args, Name, Children>(className, { ...options, ...overrides }),
  };
}

/**
 * `performAsync(id, undefined)` for an optional parameter must arrive as `[id]`, not `[id, null]` (JSON has no
 * undefined): then `perform` gets its default and the generated validator accepts it.
 */
function withoutTrailingUndefined(args: readonly unknown[]): readonly unknown[] {
  let length = args.length;
  while (length > 0 && args[length - 1] === undefined) length--;
  return length === args.length ? args : args.slice(0, length);
}
