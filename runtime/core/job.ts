/**
 * The job payload on the wire (Sidekiq's format) and its encoding. Wire names stay snake_case here
 * because they are the format; everything else in the runtime reads them through this module.
 */
import { randomBytes } from 'node:crypto';

export interface JobPayload {
  class: string;
  args: unknown[];
  /** Always written by clients; a hand-pushed payload may lack it. */
  jid?: string;
  queue: string;
  retry?: boolean | number;
  created_at?: number;
  enqueued_at?: number;
  [field: string]: unknown;
}

/** Fields that hold a time: written as float epoch seconds, which every Sidekiq from 6.4 to 8.x reads. */
const TIME_FIELDS = new Set(['created_at', 'enqueued_at', 'failed_at', 'retried_at', 'at']);

/** Sidekiq 8 writes integer epoch milliseconds; anything this large cannot be seconds. */
export const MILLISECONDS_THRESHOLD = 1e11;

/** 24 lowercase hex characters from 12 random bytes, as Sidekiq's `SecureRandom.hex(12)`. */
export function newJid(): string {
  return randomBytes(12).toString('hex');
}

export function newJids(count: number): string[] {
  const hex = randomBytes(12 * count).toString('hex');
  const jids = new Array<string>(count);
  for (let i = 0; i < count; i++) jids[i] = hex.slice(i * 24, i * 24 + 24);
  return jids;
}

/** Epoch seconds as a JSON float that always carries a `.`, so Sidekiq 8 reads it as seconds, not ms. */
export function formatSeconds(seconds: number): string {
  const text = String(seconds);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** A time field's value in epoch seconds, whether it was written as seconds (≤7.x) or milliseconds (8.x). */
export function toEpochSeconds(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return value >= MILLISECONDS_THRESHOLD ? value / 1000 : value;
}

function encodeTime(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return JSON.stringify(value);
  // Keep a Sidekiq 8 integer-millisecond value as it came, so its readers still agree on it.
  if (value >= MILLISECONDS_THRESHOLD && Number.isInteger(value)) return String(value);
  return formatSeconds(value);
}

/** JSON for a job, field order kept, time fields as floats with a `.`. */
export function encodeJob(job: Readonly<Record<string, unknown>>): string {
  let out = '{';
  let first = true;
  for (const field in job) {
    const value = job[field];
    if (value === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(field);
    out += ':';
    out += TIME_FIELDS.has(field) ? encodeTime(value) : JSON.stringify(value);
  }
  return `${out}}`;
}

export type ParsedJob =
  | { ok: true; job: JobPayload }
  | { ok: false; reason: string; object?: Record<string, unknown> };

/**
 * Reads a raw payload and says, in one phrase, what is wrong with it when it cannot be performed. `exactBytes`,
 * given only when `raw` is not them, are not UTF-8: a JavaScript string cannot hold them, so the worker would get
 * U+FFFD in their place and a retry would store that altered payload; such a payload is kept as it is instead.
 * (MRI's JSON parser lets the bytes through, JRuby's rejects them: ruby/json#138.)
 */
export function parseJob(raw: string, exactBytes?: Buffer): ParsedJob {
  if (exactBytes) {
    const offset = firstInvalidByte(raw, exactBytes);
    const byte = exactBytes[offset]?.toString(16).padStart(2, '0');
    return { ok: false, reason: `payload is not valid UTF-8 (byte 0x${byte} at offset ${offset})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { ok: false, reason: `payload is not JSON (${(error as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'payload is not a JSON object' };
  }
  const object = value as Record<string, unknown>;
  if (typeof object.class !== 'string' || object.class === '') {
    return { ok: false, reason: 'payload has no "class" string', object };
  }
  if (!Array.isArray(object.args)) {
    return { ok: false, reason: 'payload has no "args" array', object };
  }
  // Logged, stored and compared as text everywhere (a job line, its acknowledgement's listeners, batches).
  if (object.jid !== undefined && object.jid !== null && typeof object.jid !== 'string') {
    return { ok: false, reason: 'payload has a "jid" that is not a string', object };
  }
  return { ok: true, job: object as JobPayload };
}

/** A payload read as a JSON object, or undefined when it is not one (not JSON, or JSON of another kind). */
export function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const ENCODED_REPLACEMENT = Buffer.from('\uFFFD');

/** The offset in `bytes` of the first byte that is not UTF-8, found by walking `raw`, their decoding. */
function firstInvalidByte(raw: string, bytes: Buffer): number {
  let offset = 0;
  for (const char of raw) {
    const code = char.codePointAt(0)!;
    if (code === 0xfffd && !bytes.subarray(offset, offset + 3).equals(ENCODED_REPLACEMENT)) return offset;
    offset += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return offset;
}

/** A scheduled member as a job and the queue it goes to, or why it cannot go anywhere. */
export function jobOf(member: string): { object: JobPayload; queue: string } | { reason: string } {
  let job: unknown;
  try {
    job = JSON.parse(member);
  } catch {
    return { reason: 'payload is not JSON' };
  }
  if (!job || typeof job !== 'object' || Array.isArray(job))
    return { reason: 'payload is not a JSON object' };
  const queue = (job as { queue?: unknown }).queue;
  if (queue !== undefined && (typeof queue !== 'string' || queue === '')) {
    return { reason: 'payload has an invalid "queue"' };
  }
  return { object: job as JobPayload, queue: queue ?? 'default' };
}
