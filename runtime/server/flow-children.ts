/**
 * A workflow parent's `this.children` (docs/workflows.md): its children's results as flow-settle.lua stored them,
 * in the order the children were given; a child that died under `childDeath: 'ignore'` is left out.
 */
import { type ChildResult, FlowError } from '../core/flow.js';
import type { Keys } from '../redis/keys.js';
import type { RedisConnection } from '../redis/redis-connection.js';

export async function loadChildren(
  redis: RedisConnection,
  keys: Keys,
  jid: string,
): Promise<ChildResult<string, unknown>[]> {
  const [order, results] = await Promise.all([
    redis.hget(keys.flow(jid), 'children'),
    redis.hgetall(keys.flowResults(jid)),
  ]);
  if (order === null) throw new FlowError(`the results of workflow parent ${jid} are gone (expired)`);
  return childrenInOrder(JSON.parse(order) as string[], results);
}

/** Stored results (jid → entry JSON, or `-` for a child that died) in the children's order. */
export function childrenInOrder(
  order: readonly string[],
  results: Readonly<Record<string, string>>,
): ChildResult<string, unknown>[] {
  const children: ChildResult<string, unknown>[] = [];
  for (const jid of order) {
    const entry = results[jid];
    if (entry !== undefined && entry !== '-')
      children.push(JSON.parse(entry) as ChildResult<string, unknown>);
  }
  return children;
}
