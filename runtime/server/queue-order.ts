/**
 * The order in which a fetch tries the queues, as Sidekiq 7's Capsule defines it: when no `-q` gives a weight the
 * order is strict (each queue drained before the next); otherwise it is drawn anew for every fetch, each queue
 * coming first with a chance proportional to its weight (`-q a,1 -q b,1`: equal chances, Sidekiq's random mode).
 * Queues taken from the registry (no `-q`) have no order of their own: equal weights, a fresh random order per fetch.
 */
import type { RuntimeConfig, WeightedQueue } from './run-config.js';

export interface QueueOrder {
  (): readonly string[];
  /** Drawn anew per fetch: a fetch must then take small batches, each from a fresh draw, to keep the ratios. */
  readonly weighted: boolean;
}

export function queueOrder(
  queues: readonly WeightedQueue[],
  random: () => number = Math.random,
  from: RuntimeConfig['queuesFrom'] = 'flags',
  weightsGiven: RuntimeConfig['queuesWeighted'] = undefined,
): QueueOrder {
  const names = queues.map((queue) => queue.name);
  const strict = from === 'flags' && !weightsGiven && queues.every((queue) => queue.weight === 1);
  if (strict || queues.length === 1) return Object.assign(() => names, { weighted: false });
  return Object.assign(() => drawWeighted(queues, random), { weighted: true });
}

/** Weighted sampling without replacement. */
function drawWeighted(queues: readonly WeightedQueue[], random: () => number): string[] {
  const pool = [...queues];
  const order: string[] = [];
  let total = pool.reduce((sum, queue) => sum + queue.weight, 0);
  while (pool.length > 0) {
    let pick = random() * total;
    let index = 0;
    while (index < pool.length - 1 && pick >= pool[index]!.weight) {
      pick -= pool[index]!.weight;
      index++;
    }
    const [chosen] = pool.splice(index, 1);
    order.push(chosen!.name);
    total -= chosen!.weight;
  }
  return order;
}
