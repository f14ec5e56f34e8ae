/**
 * The sorted sets of jobs — `schedule`, `retry`, `dead` — as Sidekiq's `JobSet`: size, lazy iteration by score,
 * lookup by jid or score, delete, clear; retry, add to queue and kill, one entry or all. Entries are addressed by
 * their exact stored string (or bytes, exact-values.ts), so an action on an entry that changed or left meanwhile
 * does nothing instead of touching another job.
 */

import { mayHaveLostBytes } from '../core/lossy-decoding.js';
import type { ApiConnection } from './api-connection.js';
import { clearReleasingLocks, SORTED_SET_ORDER } from './clear.js';
import { exactBytesOf } from './exact-values.js';
import { JobRecord } from './job-record.js';
import { type KillOptions, killFromSet } from './kill.js';
import { containsPattern, type PageOptions, pageSizeOf, walkWindows } from './paging.js';
import { canQueue, type RepushResult, repushFromSet } from './repush.js';
import { releaseUniqueLock } from './unique-lock.js';

/** Entries per round trip of a bulk action (retry all, kill all). */
const BULK_WINDOW = 100;

export type JobSetName = 'schedule' | 'retry' | 'dead';

export interface SetPageOptions extends PageOptions {
  /** Highest score first (newest dead job, latest retry). Default: lowest score first. */
  readonly reverse?: boolean;
}

export class JobSet implements AsyncIterable<SortedEntry> {
  readonly key: string;

  constructor(
    readonly connection: ApiConnection,
    readonly name: JobSetName,
  ) {
    this.key = connection.keys[name];
  }

  size(): Promise<number> {
    return this.connection.redis.zcard(this.key);
  }

  /** `count` entries from rank `start` (0 = lowest score, or highest with `reverse`), one ZRANGE. */
  async page(start: number, count: number, options: { reverse?: boolean } = {}): Promise<SortedEntry[]> {
    return this.readWindow(start, count, options.reverse ?? false);
  }

  /** Every entry by score, `pageSize` per round trip. Entries removed through it are accounted for. */
  async *entries(options: SetPageOptions = {}): AsyncGenerator<SortedEntry> {
    let removed = 0;
    const onRemove = () => void removed++;
    const reverse = options.reverse ?? false;
    const read = (start: number, count: number) => this.readWindow(start, count, reverse, onRemove);
    yield* walkWindows(read, pageSizeOf(options), () => removed);
  }

  [Symbol.asyncIterator](): AsyncIterator<SortedEntry> {
    return this.entries();
  }

  /** The entry with this jid, or undefined: ZSCAN for members containing it, 100 at a time. */
  async findJob(jid: string): Promise<SortedEntry | undefined> {
    const pattern = containsPattern(jid);
    let cursor = '0';
    do {
      const [next, flat] = await this.connection.redis.zscan(
        this.key,
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        100,
      );
      for (let i = 0; i < flat.length; i += 2) {
        const entry = new SortedEntry(this, flat[i]!, Number(flat[i + 1]));
        if (entry.jid !== jid) continue;
        if (!mayHaveLostBytes(entry.value)) return entry;
        // Its exact bytes, read again with the others of its score; gone meanwhile, the entry acts on nothing.
        return (await this.fetch(entry.score)).find((each) => each.value === entry.value) ?? entry;
      }
      cursor = next;
    } while (cursor !== '0');
    return undefined;
  }

  /** Entries whose score is `score` (or within `[min, max]`), optionally only the one with `jid`. */
  async fetch(
    score: number | { readonly min: number; readonly max: number },
    jid?: string,
  ): Promise<SortedEntry[]> {
    const [min, max] = typeof score === 'number' ? [score, score] : [score.min, score.max];
    const { redis } = this.connection;
    const flat = await redis.zrange(this.key, min, max, 'BYSCORE', 'WITHSCORES');
    const entries = await this.toEntries(flat, () => redis.zrangeBuffer(this.key, min, max, 'BYSCORE'));
    return entries.filter((entry) => jid === undefined || entry.jid === jid);
  }

  /** Removes every entry, releasing the unique locks their jobs held (clear.ts). */
  async clear(): Promise<void> {
    await clearReleasingLocks(this.connection, this.key, SORTED_SET_ORDER);
  }

  /** Removes one entry by its exact stored string or bytes; false if it is no longer there. */
  async deleteValue(value: string | Buffer): Promise<boolean> {
    return (await this.connection.redis.zrem(this.key, value)) > 0;
  }

  /** Every job entry back on its queue, each with one retry handed back (Sidekiq's `retry_all`). */
  retryAll(): Promise<number> {
    return this.moveAll(async (entries) => (await this.repush(entries, true)).moved, queueable);
  }

  /** Every job entry back on its queue, unchanged but for `enqueued_at` (Sidekiq's `add_all_to_queue`). */
  addAllToQueue(): Promise<number> {
    return this.moveAll(async (entries) => (await this.repush(entries, false)).moved, queueable);
  }

  /** Every entry to the dead set (Sidekiq's `kill_all`). */
  killAll(options?: KillOptions): Promise<number> {
    return this.moveAll(
      (entries) =>
        killFromSet(
          this.connection,
          this.key,
          entries.map((entry) => entry.stored),
          options,
        ),
      () => true,
    );
  }

  /** @internal The re-push behind `retry()`, `addToQueue()` and the bulk versions. */
  repush(records: readonly JobRecord[], manualRetry: boolean): Promise<RepushResult> {
    const entries = records.map(({ value, exactBytes }) => ({ value, exactBytes, manualRetry }));
    return repushFromSet(this.connection, this.key, entries);
  }

  /**
   * Moves the entries present when it starts, lowest score first, a window at a time; entries `movable` rejects
   * stay where they are. Entries added meanwhile are not chased (a retried job that fails again is not retried
   * again by the same call). Resolves to how many moved.
   */
  private async moveAll(
    move: (entries: SortedEntry[]) => Promise<number>,
    movable: (entry: SortedEntry) => boolean,
  ): Promise<number> {
    let remaining = await this.size();
    let stayed = 0;
    let moved = 0;
    while (remaining > 0) {
      const window = await this.readWindow(stayed, Math.min(BULK_WINDOW, remaining), false);
      if (window.length === 0) break;
      remaining -= window.length;
      const entries = window.filter(movable);
      stayed += window.length - entries.length;
      moved += await move(entries);
    }
    return moved;
  }

  private async readWindow(
    start: number,
    count: number,
    reverse: boolean,
    onRemove?: () => void,
  ): Promise<SortedEntry[]> {
    if (count <= 0) return [];
    const { redis } = this.connection;
    const stop = start + count - 1;
    const flat = reverse
      ? await redis.zrange(this.key, start, stop, 'REV', 'WITHSCORES')
      : await redis.zrange(this.key, start, stop, 'WITHSCORES');
    const asBytes = () =>
      reverse ? redis.zrangeBuffer(this.key, start, stop, 'REV') : redis.zrangeBuffer(this.key, start, stop);
    return this.toEntries(flat, asBytes, onRemove);
  }

  /** `flat`: members and scores; `asBytes` reads the same members again as bytes, if any needs them. */
  private async toEntries(
    flat: readonly string[],
    asBytes: () => Promise<Buffer[]>,
    onRemove?: () => void,
  ): Promise<SortedEntry[]> {
    const members = flat.filter((_, i) => i % 2 === 0);
    const bytes = await exactBytesOf(members, asBytes);
    return members.map(
      (member, i) => new SortedEntry(this, member, Number(flat[2 * i + 1]), onRemove, bytes[i]),
    );
  }
}

/** A job in a sorted set, with its score: run time (schedule, retry) or time of death (dead). */
export class SortedEntry extends JobRecord {
  constructor(
    readonly parent: JobSet,
    value: string,
    /** Epoch seconds. */
    readonly score: number,
    private readonly onRemove?: () => void,
    exactBytes?: Buffer,
  ) {
    super(value, undefined, exactBytes);
  }

  /** The score as a time. */
  get at(): Date {
    return new Date(this.score * 1000);
  }

  /** Removes this entry, releasing the unique lock it holds; false if it already left the set. */
  async delete(): Promise<boolean> {
    const deleted = this.removed(await this.parent.deleteValue(this.stored));
    if (deleted) await releaseUniqueLock(this.parent.connection, this);
    return deleted;
  }

  /**
   * Pushes it to its queue now with one retry handed back (Sidekiq's "Retry now"); false if it already left, or a
   * client middleware stopped the push (the entry is then removed).
   */
  async retry(): Promise<boolean> {
    return this.repushed(await this.parent.repush([this], true));
  }

  /** Pushes it to its queue now, unchanged but for `enqueued_at`; false as for `retry()`. */
  async addToQueue(): Promise<boolean> {
    return this.repushed(await this.parent.repush([this], false));
  }

  /** Moves it to the dead set; false if it already left. */
  async kill(options?: KillOptions): Promise<boolean> {
    const { connection, key } = this.parent;
    return this.removed((await killFromSet(connection, key, [this.stored], options)) === 1);
  }

  /** Gives it a new score (run time); false if it already left. */
  async reschedule(at: Date | number): Promise<boolean> {
    const score = at instanceof Date ? at.getTime() / 1000 : at;
    const { connection, key } = this.parent;
    const replies = await connection.redis
      .multi()
      .zadd(key, 'XX', score, this.stored)
      .zscore(key, this.stored)
      .exec();
    const present = replies?.[1]?.[1];
    return present !== null && present !== undefined;
  }

  private removed(moved: boolean): boolean {
    if (moved) this.onRemove?.();
    return moved;
  }

  /** Whether it was pushed; an entry that left the set either way shifts the iterator's next window. */
  private repushed({ moved, removed }: RepushResult): boolean {
    if (removed === 1) this.onRemove?.();
    return moved === 1;
  }
}

/** Jobs pushed to run later (`performIn`, `performAt`), by run time. */
export class ScheduledSet extends JobSet {
  constructor(connection: ApiConnection) {
    super(connection, 'schedule');
  }
}

/** Jobs that failed and wait for their next attempt, by retry time. */
export class RetrySet extends JobSet {
  constructor(connection: ApiConnection) {
    super(connection, 'retry');
  }
}

function queueable(entry: SortedEntry): boolean {
  return canQueue(entry.value);
}
