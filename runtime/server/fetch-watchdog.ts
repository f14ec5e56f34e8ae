/**
 * FetchWatchdog: notices a fetch loop that stopped making progress while Redis is connected, and restarts it —
 * BullMQ's most reported failure is workers that silently stop after a failover, a blocking command waiting on a
 * connection that died without a reset.
 *  1. the fetcher notes when its outstanding fetch (a round trip) or wait for work (a BLMOVE re-armed every 2 s)
 *     began; waiting for free slots is not outstanding, so long jobs never look stuck;
 *  2. check(): one outstanding for longer than STALL_LIMIT_MS while the shared connection says it is ready (time
 *     spent in an outage, while ioredis reconnects by itself, does not count) is a stall: one log line, then
 *     fetcher.reconnect();
 *  3. start() runs tick() every CHECK_EVERY_MS: check(), unless the tick itself came late — a job's synchronous work
 *     held the event loop, so no reply could be read meanwhile and a long job would look like a stall: the stall is
 *     then counted again from that tick; tests drive tick() and check() with a fake clock.
 */
import type { RuntimeContext } from './actor-context.js';
import type { Fetcher } from './fetcher.js';

export const STALL_LIMIT_MS = 15_000;
const CHECK_EVERY_MS = 2_500;

export class FetchWatchdog {
  private timer?: NodeJS.Timeout;
  /**
   * When the shared connection last became ready, or the event loop was last found blocked (clock ms): a stall is
   * only counted from then.
   */
  private readySince: number;
  /** The last tick (clock ms). */
  private tickedAt?: number;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly fetcher: Fetcher,
  ) {
    this.readySince = ctx.clock.now();
    ctx.redis.on('ready', () => {
      this.readySince = ctx.clock.now();
    });
  }

  /** Reconnects the fetch loop if it is stuck; resolves whether it was. */
  check(): boolean {
    const { clock, redis, logger, events } = this.ctx;
    if (redis.status !== 'ready') return false;
    const stalledMs = Math.min(this.fetcher.outstandingFor(), clock.now() - this.readySince);
    if (stalledMs < STALL_LIMIT_MS) return false;
    logger.warn(
      `watchdog: the fetch loop made no progress for ${Math.round(stalledMs / 1000)} s while Redis was connected; reconnecting it`,
    );
    this.fetcher.reconnect();
    events.emit('fetch:reconnected', { stalledMs });
    return true;
  }

  /** The periodic step (3): check(), unless this tick came late; resolves whether the loop was reconnected. */
  tick(): boolean {
    const now = this.ctx.clock.now();
    const late = this.tickedAt !== undefined && now - this.tickedAt > 2 * CHECK_EVERY_MS;
    this.tickedAt = now;
    if (!late) return this.check();
    this.readySince = now;
    return false;
  }

  start(): void {
    clearInterval(this.timer);
    this.tickedAt = this.ctx.clock.now();
    this.timer = setInterval(() => this.tick(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
