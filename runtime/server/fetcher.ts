/**
 * Fetcher: takes jobs from the queues into this process's in-progress lists, never a bare pop.
 *  1. fetch(max) hands out jobs already taken, at once (a job a blocking fetch brought starts without another round
 *     trip), else runs fetch.lua, once for every queue and draw (once per queue on a cluster): in strict order, as
 *     many as fit from each queue in turn; with weights, batches of at most `concurrency`, each from a fresh draw;
 *  2. when every queue is empty, waitForWork() blocks with BLMOVE, one connection per queue (not per slot),
 *     so an idle process starts a new job within a round trip of its push; when that BLMOVE had to wait for its
 *     job (trickle.ts tells), the queues were empty, so the next fetch waits again instead of asking fetch.lua for
 *     more: a job reaching an idle process costs Redis one command, not three; every job a BLMOVE brought may have
 *     its outcome wait to share a write (completer.ts step 6), whether it waited or not: it came one at a time;
 *  3. after a Redis outage a reply may have been lost after the move was done: before fetching again it
 *     adopts whatever its in-progress lists hold that it does not know of, so nothing is stranded there, and
 *     fetches only what the fetch still lacks beside them;
 *  4. it notes when its outstanding fetch or wait began, for the watchdog, whose remedy is reconnect(); with
 *     several queues the others' timeouts keep that wait short, so a BLMOVE overdue beside them is seen here: its
 *     queue is fetched by fetch.lua meanwhile, and one silent for 10 s gets a new connection
 *     (checkOtherBlockingFetches);
 *  5. a payload that may not be UTF-8 (rare) gets its exact bytes read back, so its outcome matches what Redis holds.
 */
import { isUtf8 } from 'node:buffer';
import { mayHaveLostBytes } from '../core/lossy-decoding.js';
import { isCluster, type RedisConnection } from '../redis/redis-connection.js';
import type { RuntimeContext } from './actor-context.js';
import { withExactBytes } from './exact-bytes.js';
import type { QueueOrder } from './queue-order.js';
import { TrickleDetector } from './trickle.js';
import { type HeldJobs, UnitOfWork } from './unit-of-work.js';

/** Seconds a blocking fetch waits before it is re-armed (keeps a half-open connection from hanging forever). */
const BLOCKING_TIMEOUT_SECONDS = 2;
/** A BLMOVE still unanswered this long after its timeout is overdue: its connection may have died silently. */
const OVERDUE_AFTER_MS = BLOCKING_TIMEOUT_SECONDS * 1000 + 1000;
/** An overdue BLMOVE this old gets a new connection; what it moved, if anything, is adopted. */
const SILENT_AFTER_MS = 10_000;

interface QueueSource {
  readonly name: string;
  readonly queueKey: string;
  readonly inProgressKey: string;
  blocking?: RedisConnection;
  /** A BLMOVE is outstanding on `blocking`. */
  armed: boolean;
  /** When the outstanding BLMOVE was sent (clock ms). */
  armedAt: number;
  /** Its in-progress list must be compared with what is held before the next fetch. */
  needsAdoption: boolean;
}

export class Fetcher {
  private readonly sources = new Map<string, QueueSource>();
  /** Every queue's source, in the configured order: the keys of a fetch.lua call across all of them. */
  private readonly allSources: readonly QueueSource[];
  private readonly ready: UnitOfWork[] = [];
  private wakeUp?: () => void;
  private stopped = false;
  /** When the fetch or wait now outstanding began (clock ms); undefined between them. */
  private outstandingSince?: number;
  /** Every job in `ready` came from a BLMOVE that waited for it: the queues were empty (step 2). */
  private queuesWereEmpty = false;
  private readonly trickle = new TrickleDetector();

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly order: QueueOrder,
    private readonly held: HeldJobs,
  ) {
    held.addSource(() => this.ready);
    for (const { name } of ctx.config.queues) {
      this.sources.set(name, {
        name,
        queueKey: ctx.keys.queue(name),
        inProgressKey: ctx.keys.inProgress(ctx.identity, name),
        armed: false,
        armedAt: 0,
        needsAdoption: false,
      });
    }
    this.allSources = [...this.sources.values()];
    // A reconnect means replies may have been lost: look again at every in-progress list.
    let connectedBefore = false;
    ctx.redis.on('ready', () => {
      if (connectedBefore) for (const source of this.sources.values()) source.needsAdoption = true;
      connectedBefore = true;
    });
  }

  /**
   * Up to `max` jobs, oldest first within each queue; an empty array when every queue is empty. Jobs already taken
   * (by a blocking fetch, or adopted) are handed out alone, without a round trip.
   */
  async fetch(max: number): Promise<UnitOfWork[]> {
    const units = this.ready.splice(0, max);
    // Jobs already in hand (a blocking fetch woke with one) start now: the next call fetches more while they run,
    // so a push to an idle process waits for no round trip after the one that brought it.
    if (units.length > 0 || this.stopped) return units;
    if (this.queuesWereEmpty && !this.mustAdopt() && this.trickle.maySkip()) {
      this.queuesWereEmpty = false;
      return units; // the caller waits for work again (step 2)
    }
    this.queuesWereEmpty = false;
    this.outstandingSince = this.ctx.clock.now();
    try {
      await this.adoptUntracked(units, max);
      // The adopted jobs count: fetch.lua takes only what the fetch still lacks beside them.
      if (units.length >= max) return units;
      if (this.order.weighted) await this.fetchWeighted(units, max);
      else await this.fetchStrict(units, max);
    } catch (error) {
      // What this fetch moved is in the in-progress lists but in no hand: adopted at the next fetch.
      for (const source of this.sources.values()) source.needsAdoption = true;
      throw error;
    } finally {
      this.outstandingSince = undefined;
    }
    if (units.length === 0) {
      this.trickle.foundEmpty();
      this.ctx.events.emit('fetch:idle', undefined);
    }
    return units;
  }

  /** Milliseconds the outstanding fetch or wait has lasted; 0 when none is. */
  outstandingFor(): number {
    return this.outstandingSince === undefined ? 0 : this.ctx.clock.now() - this.outstandingSince;
  }

  /**
   * The watchdog's remedy for a fetch or wait that never returns (a connection that died without a reset, as after
   * some failovers): new blocking connections, and the shared one reconnected, which sends its pending commands
   * again. Whatever a lost reply had moved is adopted from the in-progress lists before the next fetch.
   */
  reconnect(): void {
    this.closeBlockingConnections();
    for (const source of this.sources.values()) source.needsAdoption = true;
    this.ctx.redis.disconnect(true);
    if (this.outstandingSince !== undefined) this.outstandingSince = this.ctx.clock.now();
  }

  /** Strict order: as many as fit from the first queue, then the next (beside the `units` adopted already). */
  private async fetchStrict(units: UnitOfWork[], max: number): Promise<void> {
    const order = this.order();
    if (!isCluster(this.ctx.redis)) {
      const wanted = max - units.length;
      await this.fetchFrom(this.allSources, [order], wanted, wanted, 'fill', units);
      return;
    }
    for (const name of order) {
      if (units.length >= max) break;
      await this.fetchQueue(name, max - units.length, units);
    }
  }

  /**
   * Weighted order: batches of at most `concurrency` jobs, each from a fresh draw, so that a large prefetch does not
   * turn the weights into a few coarse picks; every draw of a fetch goes in its one call.
   */
  private async fetchWeighted(units: UnitOfWork[], max: number): Promise<void> {
    const chunk = this.ctx.config.concurrency;
    if (!isCluster(this.ctx.redis)) {
      const wanted = max - units.length;
      const draws = Array.from({ length: Math.ceil(wanted / chunk) }, () => this.order());
      await this.fetchFrom(this.allSources, draws, wanted, chunk, 'first', units);
      return;
    }
    while (units.length < max) {
      let took = 0;
      for (const name of this.order()) {
        took = await this.fetchQueue(name, Math.min(chunk, max - units.length), units);
        if (took > 0) break;
      }
      if (took === 0) return;
    }
  }

  /** Up to `max` jobs of one queue: on a cluster, a call's keys must share a slot. */
  private fetchQueue(name: string, max: number, units: UnitOfWork[]): Promise<number> {
    return this.fetchFrom([this.sources.get(name)!], [[name]], max, max, 'fill', units);
  }

  /**
   * One fetch.lua call over `sources` (their pairs of keys): up to `max` jobs, up to `perDraw` from each of `draws`
   * (queue names in the order to try them); how many it took.
   */
  private async fetchFrom(
    sources: readonly QueueSource[],
    draws: readonly (readonly string[])[],
    max: number,
    perDraw: number,
    mode: 'fill' | 'first',
    units: UnitOfWork[],
  ): Promise<number> {
    const keys = sources.flatMap((source) => [source.queueKey, source.inProgressKey]);
    const positions = new Map(sources.map((source, i) => [source.name, i + 1]));
    const order = draws.flatMap((draw) => draw.map((name) => positions.get(name)!));
    const started = performance.now();
    const groups = await this.ctx.redis.sidepunchFetch(keys.length, ...keys, max, perDraw, mode, ...order);
    this.trickle.recordFetch(performance.now() - started);
    let took = 0;
    for (const group of groups) {
      const source = sources[Number(group[0]) - 1]!;
      took += group.length - 1;
      let lossy = false;
      for (let i = 1; i < group.length; i++) {
        const raw = String(group[i]);
        lossy ||= mayHaveLostBytes(raw);
        units.push(this.take(raw, source));
      }
      if (!lossy) continue;
      const taken = units.splice(units.length - (group.length - 1));
      units.push(...(await withExactBytes(this.ctx.redis, source.inProgressKey, taken, this.holding(units))));
    }
    return took;
  }

  /** Every unit holding an entry of an in-progress list: held by the actors, or in the fetch under way. */
  private *holding(fetching: readonly UnitOfWork[]): Generator<UnitOfWork> {
    yield* this.held.units();
    yield* fetching;
  }

  /** Resolves when a blocking fetch took a job or timed out, or when the fetcher stops. */
  waitForWork(): Promise<void> {
    if (this.ready.length > 0 || this.stopped) return Promise.resolve();
    const woken = new Promise<void>((resolve) => {
      this.wakeUp = resolve;
    });
    this.outstandingSince = this.ctx.clock.now();
    for (const source of this.sources.values()) {
      if (!source.armed) this.arm(source);
    }
    return woken;
  }

  /** Stops fetching: blocking connections are closed; a job one of them moved stays in the in-progress list. */
  stop(): void {
    this.stopped = true;
    this.closeBlockingConnections();
    this.wake();
  }

  /** A BLMOVE outstanding on a closed connection fails, which marks its list for adoption and wakes the loop. */
  private closeBlockingConnections(): void {
    for (const source of this.sources.values()) {
      source.blocking?.disconnect();
      source.blocking = undefined;
    }
  }

  /**
   * Gives every job still in this process's in-progress lists back to its queue, to run next.
   * Call once nothing runs any more and every outcome is written.
   */
  async requeueAll(): Promise<number> {
    this.ready.length = 0;
    let moved = 0;
    for (const source of this.sources.values()) {
      moved += await this.ctx.redis.sidepunchRequeue(source.inProgressKey, source.queueKey);
    }
    return moved;
  }

  /**
   * Gives `unstarted` (oldest taken first) and the jobs a blocking fetch brought that were not handed out back to
   * their queues, to run next; the rest of the in-progress lists (running jobs) stays. For a process gone quiet. They
   * count as held until Redis has them back.
   */
  async giveBack(unstarted: readonly UnitOfWork[]): Promise<number> {
    const units = [...unstarted, ...this.ready];
    let moved = 0;
    for (const source of this.sources.values()) {
      const payloads = units
        .filter((unit) => unit.inProgressKey === source.inProgressKey)
        .map((unit) => unit.stored);
      if (payloads.length === 0) continue;
      moved += await this.ctx.redis.sidepunchGiveBack(
        source.inProgressKey,
        source.queueKey,
        ...payloads.reverse(),
      );
    }
    this.ready.length = 0;
    return moved;
  }

  private take(raw: string, source: QueueSource): UnitOfWork {
    return new UnitOfWork(raw, source.name, source.inProgressKey);
  }

  private takeBytes(bytes: Buffer, source: QueueSource): UnitOfWork {
    const raw = bytes.toString();
    const exact = mayHaveLostBytes(raw) && !isUtf8(bytes) ? bytes : undefined;
    return new UnitOfWork(raw, source.name, source.inProgressKey, exact);
  }

  private mustAdopt(): boolean {
    for (const source of this.sources.values()) if (source.needsAdoption) return true;
    return false;
  }

  private arm(source: QueueSource): void {
    source.blocking ??= this.ctx.openConnection(`blocking fetch ${source.name}`);
    const blocking = source.blocking;
    source.armed = true;
    source.armedAt = this.ctx.clock.now();
    const sentAt = performance.now();
    // As bytes, so a payload that is not UTF-8 is known exactly at no extra cost (one job per round trip here).
    blocking
      .blmoveBuffer(source.queueKey, source.inProgressKey, 'RIGHT', 'LEFT', BLOCKING_TIMEOUT_SECONDS)
      .then(
        (bytes) => {
          // Timed out while the process still waits (no BLMOVE brought a job since): every queue stayed empty with
          // its BLMOVE armed, so fetch.lua would find nothing either; the process only blocks again (an idle
          // process's round every 2 s was also a fetch.lua call of an LRANGE per queue). Not when another queue's
          // BLMOVE is overdue: its connection may be dead, and only fetch.lua would see that queue's jobs.
          if (bytes === null) {
            const othersInTime = this.checkOtherBlockingFetches(source);
            if (this.wakeUp && this.ready.length === 0 && othersInTime) this.queuesWereEmpty = true;
            return;
          }
          // A job found waiting comes back within a round trip; one that had to be waited for, later.
          const trickle = this.trickle.wasTrickle(performance.now() - sentAt);
          this.queuesWereEmpty = trickle && (this.ready.length === 0 || this.queuesWereEmpty);
          const unit = this.takeBytes(bytes, source);
          unit.fromBlockingFetch = true;
          this.ready.push(unit);
        },
        () => {
          // The connection was closed or lost; whatever BLMOVE moved is found by adoption or requeue.
          source.needsAdoption = true;
        },
      )
      .finally(() => {
        source.armed = false;
        this.wake();
      });
  }

  /**
   * Whether every BLMOVE outstanding beside `answered`'s is within its time; and one that went silent for long gets
   * a new connection: closing the old one fails its BLMOVE, which marks its list for adoption (a job Redis handed to
   * it is in the list, its reply lost). The watchdog cannot see such a connection when there are other queues: their
   * timeouts keep the process's wait short.
   */
  private checkOtherBlockingFetches(answered: QueueSource): boolean {
    const now = this.ctx.clock.now();
    // A timeout that itself comes late says the process was busy (a job holding the event loop), not that the other
    // connections died: no verdict on them this time.
    if (now - answered.armedAt > OVERDUE_AFTER_MS) return false;
    let answer = true;
    for (const source of this.sources.values()) {
      const waited = now - source.armedAt;
      if (source === answered || !source.armed || waited <= OVERDUE_AFTER_MS) continue;
      answer = false;
      if (waited > SILENT_AFTER_MS && source.blocking) {
        this.ctx.logger.warn(
          `the blocking fetch of queue "${source.name}" has not answered for ${Math.round(waited / 1000)} s; reconnecting it`,
        );
        source.blocking.disconnect();
        source.blocking = undefined;
      }
    }
    return answer;
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    if (!wakeUp) return;
    this.wakeUp = undefined;
    this.outstandingSince = undefined;
    wakeUp();
  }

  private async adoptUntracked(units: UnitOfWork[], max: number): Promise<void> {
    let adopted = 0;
    for (const source of this.sources.values()) {
      // While a BLMOVE is outstanding its job may be in the list but not yet in hand; look later.
      if (!source.needsAdoption || source.armed) continue;
      source.needsAdoption = false;
      const listed = await this.ctx.redis.lrange(source.inProgressKey, 0, -1);
      const untracked = this.held.untracked(listed).filter((raw) => !units.some((unit) => unit.raw === raw));
      let taken = untracked.reverse().map((raw) => this.take(raw, source));
      if (untracked.some(mayHaveLostBytes)) {
        taken = await withExactBytes(this.ctx.redis, source.inProgressKey, taken, this.holding(units));
      }
      for (const unit of taken) {
        if (units.length < max) units.push(unit);
        else this.ready.push(unit);
        adopted++;
      }
    }
    if (adopted > 0) {
      this.ctx.logger.warn(
        `adopted ${adopted} job(s) left in this process's in-progress lists by a lost reply`,
      );
    }
  }
}
