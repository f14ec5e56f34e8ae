/**
 * Cluster-wide figures (Sidekiq's `Stats` and `Stats::History`): lifetime counters, set sizes, processes, busy
 * jobs, enqueued jobs and the default queue's latency, read in at least three round trips (a pipeline of the
 * counters and set sizes; the SSCANs of `processes` and `queues` side by side, one more per page of a large set;
 * a pipeline of every process's `busy` and every queue's `LLEN`); and the per-day history of processed and
 * failed jobs from the UTC-dated counters.
 */

import { getMany, readBatch } from '../redis/read-batch.js';
import type { ApiConnection } from './api-connection.js';
import { queueLatency } from './job-record.js';
import { scanSetMembers } from './paging.js';

export interface StatsSummary {
  /** Jobs finished, successfully or not, since the counters were last reset. */
  readonly processed: number;
  /** Executions that threw (each failed retry counts). */
  readonly failed: number;
  readonly scheduledSize: number;
  readonly retrySize: number;
  readonly deadSize: number;
  /** Members of `processes` (Sidekiq's `processes_size`: not pruned). */
  readonly processesSize: number;
  /** Seconds the next job of "default" has waited; 0 when it is empty. */
  readonly defaultQueueLatency: number;
  /** Jobs waiting in every queue of the `queues` set. */
  readonly enqueued: number;
  /** Jobs running, from the processes' heartbeats (Sidekiq's `workers_size`). */
  readonly busy: number;
}

export interface StatsHistory {
  /** UTC date (`YYYY-MM-DD`) → count, newest day first. */
  readonly processed: Readonly<Record<string, number>>;
  readonly failed: Readonly<Record<string, number>>;
}

/** Sidekiq keeps five years of daily counters. */
const MAX_HISTORY_DAYS = 5 * 365;
const DAY_MS = 24 * 60 * 60 * 1000;

export class Stats {
  constructor(private readonly connection: ApiConnection) {}

  async summary(): Promise<StatsSummary> {
    const { redis, keys, clock } = this.connection;
    const fast = await readBatch(redis)
      .get(keys.statProcessed())
      .get(keys.statFailed())
      .zcard(keys.schedule)
      .zcard(keys.retry)
      .zcard(keys.dead)
      .scard(keys.processes)
      .lindex(keys.queue('default'), -1)
      .exec();
    const reply = (i: number) => fast?.[i]?.[1];
    const oldestDefault = reply(6);
    const [processes, queues] = await Promise.all([
      scanSetMembers(redis, keys.processes),
      scanSetMembers(redis, keys.queues),
    ]);
    const slow = readBatch(redis);
    for (const identity of processes) slow.hget(keys.process(identity), 'busy');
    for (const queue of queues) slow.llen(keys.queue(queue));
    const counts = ((await slow.exec()) ?? []).map(([, value]) => Number(value) || 0);
    return {
      processed: Number(reply(0)) || 0,
      failed: Number(reply(1)) || 0,
      scheduledSize: Number(reply(2)),
      retrySize: Number(reply(3)),
      deadSize: Number(reply(4)),
      processesSize: Number(reply(5)),
      defaultQueueLatency: typeof oldestDefault === 'string' ? queueLatency(oldestDefault, clock.now()) : 0,
      busy: sum(counts.slice(0, processes.length)),
      enqueued: sum(counts.slice(processes.length)),
    };
  }

  /**
   * Queue name → size, largest first — except that JavaScript lists a name that is an integer (`"7"`) before every
   * other whatever its size; `queueSizes()` keeps the order.
   */
  async queues(): Promise<Record<string, number>> {
    return Object.fromEntries(await this.queueSizes());
  }

  /** `[name, size]` of every queue, largest first. */
  async queueSizes(): Promise<[string, number][]> {
    const { redis, keys } = this.connection;
    const names = await scanSetMembers(redis, keys.queues);
    const pipeline = readBatch(redis);
    for (const name of names) pipeline.llen(keys.queue(name));
    const sizes = ((await pipeline.exec()) ?? []).map(([, size]) => Number(size) || 0);
    return names.map((name, i): [string, number] => [name, sizes[i]!]).sort((a, b) => b[1] - a[1]);
  }

  /** Processed and failed per UTC day, for `days` days ending with `endDay` (default: today), in one MGET each. */
  async history(days: number, endDay?: Date): Promise<StatsHistory> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_DAYS) {
      throw new RangeError(`history covers 1 to ${MAX_HISTORY_DAYS} days, not ${days}`);
    }
    const end = endDay?.getTime() ?? this.connection.clock.now();
    const dates = Array.from({ length: days }, (_, i) =>
      new Date(end - i * DAY_MS).toISOString().slice(0, 10),
    );
    const { redis, keys } = this.connection;
    const [processed, failed] = await Promise.all([
      getMany(
        redis,
        dates.map((day) => keys.statProcessed(day)),
      ),
      getMany(
        redis,
        dates.map((day) => keys.statFailed(day)),
      ),
    ]);
    const byDay = (values: (string | null)[]) =>
      Object.fromEntries(dates.map((day, i) => [day, Number(values[i]) || 0]));
    return { processed: byDay(processed), failed: byDay(failed) };
  }

  /** Sets the lifetime counters (both, or the ones named) to 0; the daily ones stay. */
  async reset(...which: ('processed' | 'failed')[]): Promise<void> {
    const { redis, keys } = this.connection;
    const names = which.length > 0 ? which : (['processed', 'failed'] as const);
    const counters = names.flatMap((name) => [
      name === 'processed' ? keys.statProcessed() : keys.statFailed(),
      '0',
    ]);
    await redis.mset(...counters);
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
