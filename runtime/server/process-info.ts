/**
 * The process hash's `info`, as every Sidekiq generation reads it: 6.4's fields, 7.x's `weights`, `version` and
 * `embedded`, and 8.x's `capsules`. Sidepunch has one capsule, `default`. Strict queue order is written as Sidekiq
 * writes it (every weight 0, mode `strict`); weighted order keeps the `-q name,weight` weights, with mode `random`
 * when they are all equal to 1, as Sidekiq 7's Capsule names them.
 */
import { hostname } from 'node:os';
import { sidepunchVersion } from '../core/version.js';
import { queueOrder } from './queue-order.js';
import type { RuntimeConfig } from './run-config.js';

export type CapsuleMode = 'strict' | 'random' | 'weighted';

export interface ProcessCapsule {
  readonly concurrency: number;
  readonly mode: CapsuleMode;
  readonly weights: Readonly<Record<string, number>>;
}

/** The one capsule's queue weights and mode, from the queues this process fetches from. */
export function defaultCapsule(config: RuntimeConfig): ProcessCapsule {
  const strict = !queueOrder(config.queues, () => 0, config.queuesFrom, config.queuesWeighted).weighted;
  const weights = Object.fromEntries(config.queues.map((queue) => [queue.name, strict ? 0 : queue.weight]));
  const mode: CapsuleMode = strict
    ? 'strict'
    : config.queues.every((queue) => queue.weight === 1)
      ? 'random'
      : 'weighted';
  return { concurrency: config.concurrency, mode, weights };
}

export function processInfo(
  config: RuntimeConfig,
  identity: string,
  startedAt: number,
): Record<string, unknown> {
  const capsule = defaultCapsule(config);
  return {
    hostname: hostname(),
    started_at: startedAt,
    pid: process.pid,
    tag: config.tag ?? '',
    concurrency: config.concurrency,
    queues: config.queues.map((queue) => queue.name),
    weights: [capsule.weights],
    capsules: { default: capsule },
    labels: ['sidepunch'],
    identity,
    version: `sidepunch ${sidepunchVersion()}`,
    embedded: false,
  };
}
