/**
 * The queues the registry's workers declare (`queue` and `retry_queue` in their static `sidepunchOptions`, and in
 * its periodic entries' options), so that a job pushed through its worker's options is never left in a queue no
 * process works:
 *  1. no `-q`: the process works `default` plus every declared queue, with equal weights, tried in a new random
 *     order at every fetch (Sidekiq's order for equal weights), and says so in one line at start;
 *  2. `-q` given: those queues only, and one warning at start naming each declared queue left out.
 * A queue chosen at push time (`push({ queue })`, `set({ queue })`) is not in the registry: `-q` must name it.
 */
import type { Logger } from '../core/logger.js';
import { declaredQueues, type Registry } from '../core/registry.js';
import type { RuntimeConfig, WeightedQueue } from './run-config.js';

/** Without `-q`: `default` and the declared queues, all of weight 1. With `-q`: the config unchanged. */
export function withRegistryQueues(config: RuntimeConfig, registry: Registry): RuntimeConfig {
  if (config.queuesFrom === 'flags') return config;
  const names = new Set(['default', ...declaredQueues(registry)]);
  const queues: WeightedQueue[] = [...names].map((name) => ({ name, weight: 1 }));
  return { ...config, queues };
}

/** The start line that says which queues this process works and why, or the warning about those it leaves out. */
export function logQueueChoice(config: RuntimeConfig, registry: Registry, logger: Logger): void {
  const names = config.queues.map((queue) => queue.name);
  if (config.queuesFrom === 'registry') {
    logger.info(`queues: ${names.join(', ')} (from the registry; -q to choose)`);
    return;
  }
  const missing = declaredQueues(registry).filter((name) => !names.includes(name));
  if (missing.length === 0) return;
  const flags = config.queues
    .map((queue) => `-q ${queue.weight === 1 ? queue.name : `${queue.name},${queue.weight}`}`)
    .join(' ');
  const quoted = missing.map((name) => `"${name}"`).join(', ');
  logger.warn(
    `registry workers use queue${missing.length === 1 ? '' : 's'} ${quoted}, which this process does not work (${flags})`,
  );
}
