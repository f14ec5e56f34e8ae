/** A Launcher in the test's own process, with workers defined in the test, a fake clock and pinned randomness. */

import { FakeClock } from '../../runtime/core/clock.js';
import { LineLogger } from '../../runtime/core/logger.js';
import type { WorkerClass } from '../../runtime/core/worker.js';
import type { ConfigureServer } from '../../runtime/middleware/configure.js';
import { Launcher } from '../../runtime/server/launcher.js';
import { resolveConfig } from '../../runtime/server/run-config.js';

export interface InProcessRuntime {
  readonly launcher: Launcher;
  readonly clock: FakeClock;
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
    },
    {},
  );
  let text = '';
  const logger = new LineLogger('info', { write: (chunk: string) => (text += chunk) }, () => clock.now());
  const registry = { workers, configureServer: options.configureServer };
  const launcher = new Launcher(config, registry, { clock, logger, random: options.random ?? (() => 0) });
  launcher.start();
  return {
    launcher,
    clock,
    log: () => {
      logger.flush();
      return text;
    },
    stop: () => launcher.stop(),
  };
}
