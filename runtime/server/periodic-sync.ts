/**
 * The stored periodic entry set, kept in step with the code:
 *  1. write(): at start, a process replaces the stored set with its own (periodic-sync.lua): new entries added,
 *     changed ones rewritten with their pause flag and last tick kept (a new schedule's ticks up to now were never
 *     due, so never caught up), undeclared ones removed with their state;
 *  2. check(): while running, a process whose set differs from the stored one rewrites it only once the process
 *     that wrote it is gone (its heartbeat expired or it stopped), so two versions running side by side during a
 *     rolling deploy do not fight: the one that wrote last runs the entries until it stops.
 */
import { createHash } from 'node:crypto';
import { CronSchedule } from '../core/cron.js';
import { type PeriodicEntry, periodicDefinition } from '../core/periodic.js';
import type { RuntimeContext } from './actor-context.js';

export interface SyncCounts {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
}

export class PeriodicSync {
  /** Name → definition text, as periodic-enqueue.lua compares it. */
  readonly definitions: ReadonlyMap<string, string>;
  /** Name → its schedule (the enqueuer steps its ticks with it too). */
  readonly schedules: ReadonlyMap<string, CronSchedule>;
  private readonly digest: string;

  constructor(
    private readonly ctx: RuntimeContext,
    entries: readonly PeriodicEntry[],
  ) {
    this.definitions = new Map(entries.map((entry) => [entry.name, periodicDefinition(entry)]));
    this.schedules = new Map(entries.map((entry) => [entry.name, new CronSchedule(entry.cron, entry.tz)]));
    const hash = createHash('sha1');
    for (const [name, definition] of [...this.definitions].sort(([a], [b]) => a.localeCompare(b)))
      hash.update(`${name}\n${definition}\n`);
    this.digest = hash.digest('hex');
  }

  async write(): Promise<SyncCounts> {
    const { redis, keys, identity, clock } = this.ctx;
    const now = clock.now() / 1000;
    const triples: string[] = [];
    for (const [name, definition] of this.definitions)
      triples.push(name, definition, String(this.schedules.get(name)?.latest(now) ?? ''));
    const [added, changed, removed] = await redis.sidepunchPeriodicSync(
      keys.periodic,
      keys.periodicWriter,
      JSON.stringify({ identity, digest: this.digest }),
      keys.periodicStatePrefix,
      ...triples,
    );
    return { added, changed, removed };
  }

  /** Rewrites the stored set when it is not this process's and its writer is gone; resolves true if it did. */
  async check(): Promise<boolean> {
    const { redis, keys } = this.ctx;
    const stored = await redis.get(keys.periodicWriter);
    const writer = parseWriter(stored);
    if (writer?.digest === this.digest) return false;
    if (writer && (await redis.exists(keys.process(writer.identity))) === 1) return false;
    const counts = await this.write();
    this.ctx.logger.info(
      `periodic: the process that wrote the entry set is gone; wrote this one's (${describe(counts)})`,
    );
    return true;
  }
}

export function describe({ added, changed, removed }: SyncCounts): string {
  return `${added} added, ${changed} changed, ${removed} removed`;
}

function parseWriter(text: string | null): { identity: string; digest: string } | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as { identity?: unknown; digest?: unknown };
    if (typeof value.identity === 'string' && typeof value.digest === 'string')
      return { identity: value.identity, digest: value.digest };
  } catch {}
  return undefined;
}
