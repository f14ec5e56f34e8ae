/**
 * One job as the API reads it (Sidekiq's JobRecord): the string stored in Redis (`value`; `stored`, its exact bytes
 * when they are not UTF-8, is what deletes or moves it byte for byte), its parsed fields (`item`), and typed accessors with camelCase names. A value that is not
 * a JSON object reads as `item = {}` and `args = [value]`, as Sidekiq shows it, so a bad payload never breaks a
 * listing.
 */
import { inflateSync } from 'node:zlib';
import { parseObject, toEpochSeconds } from '../core/job.js';

const ACTIVE_JOB_WRAPPERS = new Set([
  'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper',
  'Sidekiq::ActiveJob::Wrapper',
]);

export class JobRecord {
  /** The parsed payload; `{}` when `value` is not a JSON object. */
  readonly item: Readonly<Record<string, unknown>>;
  /** False when `value` is not a JSON object (it cannot be retried or re-queued). */
  readonly isJob: boolean;
  /** The queue the job is in, or goes to (its `queue` field, else "default"). */
  readonly queue: string;

  constructor(
    /** The string stored in Redis: exact, unless `exactBytes` are given. */
    readonly value: string,
    queue?: string,
    /** The stored bytes when they are not UTF-8 (`value` then holds U+FFFD in place of each invalid sequence). */
    readonly exactBytes?: Buffer,
  ) {
    const item = parseObject(value);
    this.isJob = item !== undefined;
    this.item = item ?? {};
    this.queue = queue ?? (typeof this.item.queue === 'string' ? this.item.queue : 'default');
  }

  /** What Redis holds, for removing or moving it byte for byte. */
  get stored(): string | Buffer {
    return this.exactBytes ?? this.value;
  }

  /** A field of the payload by its wire name (`retry`, `tags`, `bid`, …). */
  get(field: string): unknown {
    return this.item[field];
  }

  get jid(): string | undefined {
    return stringField(this.item.jid);
  }

  /** The class name on the wire (`class`). */
  get klass(): string | undefined {
    return stringField(this.item.class);
  }

  /** The class to show: `display_class`, the ActiveJob class for wrapped jobs, else `class`. */
  get displayClass(): string | undefined {
    const shown = stringField(this.item.display_class);
    if (shown) return shown;
    const klass = this.klass;
    if (klass && ACTIVE_JOB_WRAPPERS.has(klass)) return stringField(this.item.wrapped) ?? klass;
    return klass;
  }

  get args(): readonly unknown[] {
    if (!this.isJob) return [this.value];
    return Array.isArray(this.item.args) ? this.item.args : [];
  }

  get createdAt(): Date {
    return timeField(this.item.created_at) ?? timeField(this.item.enqueued_at) ?? new Date(0);
  }

  /** When it was last pushed to a queue; undefined for a job that was only ever scheduled. */
  get enqueuedAt(): Date | undefined {
    return timeField(this.item.enqueued_at);
  }

  get failedAt(): Date | undefined {
    return timeField(this.item.failed_at);
  }

  get retriedAt(): Date | undefined {
    return timeField(this.item.retried_at);
  }

  get errorClass(): string | undefined {
    return stringField(this.item.error_class);
  }

  get errorMessage(): string | undefined {
    return stringField(this.item.error_message);
  }

  /** 0 after the first failure, +1 per failed retry; undefined if it never failed. */
  get retryCount(): number | undefined {
    return typeof this.item.retry_count === 'number' ? this.item.retry_count : undefined;
  }

  get tags(): readonly string[] {
    return Array.isArray(this.item.tags) ? this.item.tags.filter((tag) => typeof tag === 'string') : [];
  }

  /** The stored backtrace lines (zlib + Base64 on the wire, or a plain array from old writers). */
  get errorBacktrace(): readonly string[] | undefined {
    const stored = this.item.error_backtrace;
    if (Array.isArray(stored)) return stored.map(String);
    if (typeof stored !== 'string') return undefined;
    try {
      const lines: unknown = JSON.parse(inflateSync(Buffer.from(stored, 'base64')).toString('utf8'));
      return Array.isArray(lines) ? lines.map(String) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Seconds since it was enqueued (else created), at `nowMs`; 0 when neither is known. */
  latency(nowMs: number): number {
    const since = toEpochSeconds(this.item.enqueued_at) ?? toEpochSeconds(this.item.created_at);
    return since === undefined ? 0 : nowMs / 1000 - since;
  }
}

/** Seconds since a queued payload was enqueued, at `nowMs`; 0 without `enqueued_at` (Sidekiq's queue latency). */
export function queueLatency(value: string, nowMs: number): number {
  const enqueuedAt = toEpochSeconds(parseObject(value)?.enqueued_at);
  return enqueuedAt === undefined ? 0 : nowMs / 1000 - enqueuedAt;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function timeField(value: unknown): Date | undefined {
  const seconds = toEpochSeconds(value);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}
