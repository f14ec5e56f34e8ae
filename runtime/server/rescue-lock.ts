/**
 * One rescuer at a time per dead process: two rescuers on one dead process would both bury a poison pill that
 * rescue.lua hands back. The lock expires on its own, so a rescuer that dies half-way leaves the rest to the next;
 * sooner when the next one can tell that the holder is dead (takeOver).
 */
import type { RuntimeContext } from './actor-context.js';

/** How long one rescuer may hold a dead process before another may take over. */
export const RESCUE_LOCK_MS = 30_000;

export class RescueLock {
  constructor(
    private readonly ctx: Pick<RuntimeContext, 'redis' | 'keys' | 'identity'>,
    private readonly dead: string,
    private readonly holdMs = RESCUE_LOCK_MS,
  ) {}

  /** Whether this rescuer now holds the dead process. */
  async acquire(): Promise<boolean> {
    const { redis, keys, identity } = this.ctx;
    return (await redis.set(keys.rescueLock(this.dead), identity, 'PX', this.holdMs, 'NX')) !== null;
  }

  /** The rescuer holding the lock now, if any. */
  holder(): Promise<string | null> {
    return this.ctx.redis.get(this.ctx.keys.rescueLock(this.dead));
  }

  /** Takes the lock from a holder known to be dead (it died half-way through the rescue): the rest is ours. */
  async takeOver(deadHolder: string): Promise<boolean> {
    const { redis, keys } = this.ctx;
    await redis.sidepunchReleaseLock(keys.rescueLock(this.dead), deadHolder);
    return this.acquire();
  }

  /** Lets go, unless the lock expired meanwhile and another rescuer holds it now: that one keeps it. */
  async release(): Promise<void> {
    const { redis, keys, identity } = this.ctx;
    await redis.sidepunchReleaseLock(keys.rescueLock(this.dead), identity);
  }
}
