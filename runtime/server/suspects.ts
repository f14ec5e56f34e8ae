/**
 * Suspects: jobs that were in progress in two processes that died (or that crashed one while running alone) run
 * alone, so that a crash names its culprit and innocent neighbours are never condemned with it.
 *  1. on each heartbeat, claim one suspect (LMOVE suspects → this process's claimed list);
 *  2. the manager stops starting jobs and waits for the running ones; then the suspect moves to this process's
 *     alone list and runs by itself; its outcome is written before anything else starts;
 *  3. repeat while suspects are left; a rescuer that finds a dead process's alone list non-empty blames that job
 *     only (rescuer.ts), and its claimed list goes back to the suspects uncounted.
 */

import { describeError } from '../core/thrown-value.js';
import type { RuntimeContext } from './actor-context.js';
import { withExactBytes } from './exact-bytes.js';
import type { Manager } from './manager.js';
import { UnitOfWork } from './unit-of-work.js';

export class SuspectRunner {
  private running?: Promise<void>;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly manager: Manager,
  ) {}

  /** Runs the suspects of this process's queues one by one, alone, until none is left or the process is quiet. */
  tick(): Promise<void> {
    this.running ??= this.runAll()
      .catch((error) => this.ctx.logger.warn(`suspects: ${describeError(error)}`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Gives claimed or unfinished suspects back to the suspects list (at shutdown, once nothing runs). */
  async requeueAll(): Promise<number> {
    const { redis, keys, identity, config } = this.ctx;
    let moved = 0;
    for (const { name } of config.queues) {
      moved += await redis.sidepunchRequeue(keys.suspectAlone(identity, name), keys.suspects(name));
      moved += await redis.sidepunchRequeue(keys.suspectClaimed(identity, name), keys.suspects(name));
    }
    return moved;
  }

  private async runAll(): Promise<void> {
    const { redis, keys, identity, config, logger } = this.ctx;
    for (;;) {
      if (this.manager.quiet) return;
      let claimed: { queue: string; raw: string } | undefined;
      for (const { name } of config.queues) {
        const raw = await redis.lmove(
          keys.suspects(name),
          keys.suspectClaimed(identity, name),
          'RIGHT',
          'LEFT',
        );
        if (raw !== null) {
          claimed = { queue: name, raw };
          break;
        }
      }
      if (!claimed) return;
      const { queue, raw } = claimed;
      const claimedKey = keys.suspectClaimed(identity, queue);
      const aloneKey = keys.suspectAlone(identity, queue);
      logger.warn(`running alone a job rescued from crashed processes: ${raw.slice(0, 200)}`);
      const ran = await this.manager.runAlone(async () => {
        await redis.lmove(claimedKey, aloneKey, 'RIGHT', 'LEFT');
        const [unit] = await withExactBytes(redis, aloneKey, [new UnitOfWork(raw, queue, aloneKey)], []);
        return unit;
      });
      if (!ran) {
        // Quiet before it could start: back to the suspects for another process.
        await redis.sidepunchRequeue(claimedKey, keys.suspects(queue));
        return;
      }
    }
  }
}
