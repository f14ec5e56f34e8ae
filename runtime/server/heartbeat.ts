/**
 * Heartbeat: tells Redis, in Sidekiq's format, that this process is alive and what it is doing.
 *  1. every `heartbeatSeconds` (10, as Sidekiq 7): the `processes` set, the process hash (`info` as every Sidekiq
 *     generation reads it (process-info.ts), `busy`, `beat`, `quiet`, `rss`, `rtt_us`, and `concurrency` as its own
 *     field, as Sidekiq 8.1 reads it; EXPIRE `processTtlSeconds`), and the work hash under both
 *     `:workers` (6.4) and `:work` (6.5+) listing running jobs with `run_at`;
 *  2. the same write records which queues this process fetches from, so a rescuer can find its in-progress lists
 *     if the process dies — the first beat happens before the first fetch;
 *  3. beside them, the OS process behind it (host-process.ts), so that a process restarted on this host can rescue
 *     its jobs at once if it dies;
 *  4. once Redis has the beat, it calls afterBeat (the launcher's rescue of dead processes), then pops one signal
 *     from `<identity>-signals` (the Web UI's Quiet and Stop buttons) and hands it over;
 *  5. a thread keeps the hashes from expiring while a job blocks this event loop, up to `maxBlockSeconds`, and the
 *     loop's lag is logged (heartbeat-keeper.ts).
 */
import { describeError } from '../core/thrown-value.js';
import { SlotBatch } from '../redis/slot-batch.js';
import type { RuntimeContext } from './actor-context.js';
import { HeartbeatKeeper } from './heartbeat-keeper.js';
import { HOST_PROCESS_FIELD, thisHostProcess } from './host-process.js';
import { processInfo } from './process-info.js';
import type { WorkState } from './work-state.js';

export type RemoteSignal = 'TSTP' | 'TERM' | 'TTIN';

/** What the launcher does on a beat. */
export interface HeartbeatHooks {
  /** After every beat Redis confirmed. */
  readonly afterBeat: () => void;
  /** A signal popped from Redis. */
  readonly onSignal: (signal: RemoteSignal) => void;
}

export interface HeartbeatSource {
  readonly work: WorkState;
  readonly busy: number;
  readonly quiet: boolean;
}

export class Heartbeat {
  private timer?: NodeJS.Timeout;
  private readonly startedAt: number;
  private readonly hostProcess = thisHostProcess();
  private beating?: Promise<void>;
  private readonly keeper: HeartbeatKeeper;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly source: HeartbeatSource,
    private readonly hooks: HeartbeatHooks,
  ) {
    this.startedAt = ctx.clock.now() / 1000;
    this.keeper = new HeartbeatKeeper(ctx);
  }

  /** The process's `info`, as Sidekiq's Web UI and API read it. */
  info(): Record<string, unknown> {
    return processInfo(this.ctx.config, this.ctx.identity, this.startedAt);
  }

  /** One beat; resolves once Redis has it. */
  beat(): Promise<void> {
    this.beating ??= this.write().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  start(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      this.beat().catch((error) => this.ctx.logger.warn(`heartbeat: ${describeError(error)}`));
    }, this.ctx.config.heartbeatSeconds * 1000);
    this.keeper.start();
  }

  /** No more beats; resolves once a beat still on its way has landed (or failed), so none comes after deregister. */
  stop(): Promise<void> {
    clearInterval(this.timer);
    this.keeper.stop();
    return this.beating?.catch(() => {}) ?? Promise.resolve();
  }

  /** Clean exit: out of the `processes` set, work hashes and queue record removed (the process hash expires). */
  async deregister(): Promise<void> {
    const { redis, keys, identity } = this.ctx;
    const work = keys.work(identity);
    const batch = new SlotBatch(redis);
    batch.on(keys.processes).srem(keys.processes, identity);
    for (const key of [work.workers, work.work]) batch.on(key).unlink(key);
    batch.on(keys.processQueues).hdel(keys.processQueues, identity);
    await batch.exec();
  }

  private async write(): Promise<void> {
    const { redis, keys, identity, clock, config } = this.ctx;
    const pingStarted = performance.now();
    await redis.ping();
    const rttMicros = Math.round((performance.now() - pingStarted) * 1000);
    const ttl = config.processTtlSeconds;
    const work = keys.work(identity);
    const batch = new SlotBatch(redis);
    const entries: string[] = [];
    for (const running of this.source.work.jobs()) {
      const entry = { queue: running.unit.queue, payload: running.unit.raw, run_at: running.runAt };
      entries.push(running.tid.toString(36), JSON.stringify(entry));
    }
    for (const key of [work.workers, work.work]) {
      batch.on(key).unlink(key);
      if (entries.length > 0)
        batch
          .on(key)
          .hset(key, ...entries)
          .expire(key, ttl);
    }
    batch.on(keys.processes).sadd(keys.processes, identity);
    batch
      .on(keys.process(identity))
      .hset(keys.process(identity), {
        info: JSON.stringify(this.info()),
        busy: this.source.busy,
        beat: clock.now() / 1000,
        rtt_us: rttMicros,
        quiet: String(this.source.quiet),
        rss: Math.round(process.memoryUsage.rss() / 1024),
        concurrency: config.concurrency,
        ...(this.hostProcess && { [HOST_PROCESS_FIELD]: JSON.stringify(this.hostProcess) }),
      })
      .expire(keys.process(identity), ttl);
    batch
      .on(keys.processQueues)
      .hset(keys.processQueues, identity, JSON.stringify(config.queues.map((queue) => queue.name)));
    // Last on its MULTI, so its reply is the last one in either mode.
    const signals = batch.on(keys.signals(identity)).rpop(keys.signals(identity));
    const replies = await batch.exec();
    this.hooks.afterBeat();
    const signal = replies.get(signals)?.at(-1);
    if (signal === 'TSTP' || signal === 'TERM' || signal === 'TTIN') this.hooks.onSignal(signal);
    else if (typeof signal === 'string')
      this.ctx.logger.warn(`ignoring unknown signal "${signal}" from Redis`);
  }
}
