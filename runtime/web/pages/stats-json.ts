/**
 * `/stats` and `/stats/queues` as JSON, in Sidekiq's Web UI format (its dashboard polls the same shape), so
 * monitoring scripts written against Sidekiq keep working. The dashboard's live chart reads `/stats` too.
 */
import type { SidepunchApi } from '../../api/api.js';
import { parseRedisInfo } from '../format.js';
import { type Handler, json } from '../web-context.js';

export interface StatsBody {
  readonly sidekiq: {
    readonly processed: number;
    readonly failed: number;
    readonly busy: number;
    readonly processes: number;
    readonly enqueued: number;
    readonly scheduled: number;
    readonly retries: number;
    readonly dead: number;
    readonly default_latency: number;
  };
  readonly redis: Readonly<Record<string, string>>;
  /** `HH:MM:SS UTC`, as Sidekiq prints it. */
  readonly server_utc_time: string;
}

const REDIS_FIELDS = [
  'redis_version',
  'uptime_in_days',
  'connected_clients',
  'used_memory_human',
  'used_memory_peak_human',
] as const;

/** The `/stats` body, and the whole of Redis' INFO it was made from (the dashboard shows more of it). */
export async function readStats(
  api: SidepunchApi,
): Promise<{ stats: StatsBody; info: Record<string, string> }> {
  const [summary, infoText] = await Promise.all([api.stats.summary(), api.connection.redis.info()]);
  const info = parseRedisInfo(infoText);
  const stats: StatsBody = {
    sidekiq: {
      processed: summary.processed,
      failed: summary.failed,
      busy: summary.busy,
      processes: summary.processesSize,
      enqueued: summary.enqueued,
      scheduled: summary.scheduledSize,
      retries: summary.retrySize,
      dead: summary.deadSize,
      // Unrounded, as Sidekiq 7.3.9 answers it.
      default_latency: summary.defaultQueueLatency,
    },
    redis: Object.fromEntries(REDIS_FIELDS.map((field) => [field, info[field] ?? ''])),
    server_utc_time: `${new Date(api.connection.clock.now()).toISOString().slice(11, 19)} UTC`,
  };
  return { stats, info };
}

export const statsJson: Handler = async ({ api }) => json((await readStats(api)).stats);

/** Written pair by pair: an object would list a queue named `7` first, whatever its size. */
export const statsQueuesJson: Handler = async ({ api }) => {
  const pairs = await api.stats.queueSizes();
  const text = `{${pairs.map(([name, size]) => `${JSON.stringify(name)}:${size}`).join(',')}}`;
  return { kind: 'json', text };
};
