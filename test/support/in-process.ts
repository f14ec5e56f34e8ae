/** A Launcher in the test's own process, with workers defined in the test, a fake clock and pinned randomness. */

import { FakeClock } from '../../runtime/core/clock.js';
import { LineLogger } from '../../runtime/core/logger.js';
import type { Registry } from '../../runtime/core/registry.js';
import type { WorkerClass } from '../../runtime/core/worker.js';
import type { ConfigureServer } from '../../runtime/middleware/configure.js';
import type { RuntimeEventMap } from '../../runtime/server/events.js';
import { Launcher } from '../../runtime/server/launcher.js';
import { resolveConfig } from '../../runtime/server/run-config.js';

const EVENT_TIMEOUT_MS = 10_000;

export interface InProcessRuntime {
  readonly launcher: Launcher;
  readonly clock: FakeClock;
  /**
   * The next `event` that passes `matches`; rejects after 10 s. Call it before the action that causes the event,
   * then await it; `stop()` drops the waits nobody awaited.
   */
  next<E extends keyof RuntimeEventMap>(
    event: E,
    matches?: (payload: RuntimeEventMap[E]) => boolean,
  ): Promise<RuntimeEventMap[E]>;
  /** Log lines written so far. */
  log(): string;
  /** Resolves false when shutdown left jobs for a rescuer (Redis did not answer). */
  stop(): Promise<boolean>;
}

export function startInProcess(
  redisUrl: string,
  workers: Record<string, WorkerClass>,
  options: {
    concurrency?: number;
    queues?: string[];
    random?: () => number;
    clock?: FakeClock;
    configureServer?: ConfigureServer;
    /** `--execution-metrics` (default sidekiq7). */
    executionMetrics?: string;
    /** How long a success may wait to share a write (completer.ts step 6). */
    lingerMs?: number;
    /** The generated validators and argument generations a built registry carries (docs/deploys.md). */
    validators?: Registry['validators'];
    generations?: Registry['generations'];
  } = {},
): InProcessRuntime {
  const clock = options.clock ?? new FakeClock(Date.UTC(2026, 10, 28, 12, 0, 0));
  const config = resolveConfig(
    {
      registryPath: '(test registry)',
      redis: redisUrl,
      concurrency: String(options.concurrency ?? 5),
      queues: options.queues,
      // The tests tick the scheduler themselves.
      pollInterval: '3600',
      timeout: '1',
      executionMetrics: options.executionMetrics,
    },
    {},
  );
  let text = '';
  const logger = new LineLogger('info', { write: (chunk: string) => (text += chunk) }, () => clock.now());
  const registry: Registry = {
    workers,
    configureServer: options.configureServer,
    validators: options.validators,
    generations: options.generations,
  };
  const launcher = new Launcher(config, registry, {
    clock,
    logger,
    random: options.random ?? (() => 0),
    lingerMs: options.lingerMs,
  });
  launcher.start();
  const waits = new Set<() => void>();
  return {
    launcher,
    clock,
    next: (event, matches = () => true) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          drop();
          reject(new Error(`timed out waiting for ${event}`));
        }, EVENT_TIMEOUT_MS);
        const drop = () => {
          clearTimeout(timer);
          off();
          waits.delete(drop);
        };
        const off = launcher.events.on(event, (payload) => {
          if (!matches(payload)) return;
          drop();
          resolve(payload);
        });
        waits.add(drop);
      }),
    log: () => {
      logger.flush();
      return text;
    },
    stop: () => {
      for (const drop of waits) drop();
      return launcher.stop();
    },
  };
}
