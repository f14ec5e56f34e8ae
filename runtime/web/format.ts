/** How numbers, times, sizes and arguments read on the dashboard. Pure functions of their inputs and "now". */
import {
  describeTarget,
  isRedisConnection,
  type RedisConnection,
  type RedisTarget,
} from '../redis/redis-connection.js';

const numberFormat = new Intl.NumberFormat('en-US');

export function count(value: number): string {
  return numberFormat.format(value);
}

/** `1 job`, `2 jobs`, `1,234 jobs`. */
export function jobCount(value: number): string {
  return `${count(value)} ${value === 1 ? 'job' : 'jobs'}`;
}

/** `1.2K`, `3.4M`: for the big figures on the dashboard. */
export function compact(value: number): string {
  if (Math.abs(value) < 10_000) return count(value);
  const units = ['K', 'M', 'B', 'T'];
  let scaled = value;
  let unit = '';
  for (const next of units) {
    if (Math.abs(scaled) < 1000) break;
    scaled /= 1000;
    unit = next;
  }
  return `${scaled >= 100 ? Math.round(scaled) : scaled.toFixed(1)}${unit}`;
}

/** "just now", "3 min ago", "in 2 h": the distance from `nowMs` to `date`; "—" for a time out of range. */
export function relativeTime(date: Date, nowMs: number): string {
  if (!validTime(date)) return '—';
  const seconds = (date.getTime() - nowMs) / 1000;
  const past = seconds <= 0;
  const distance = Math.abs(seconds);
  if (distance < 5) return past ? 'just now' : 'now';
  const text = duration(distance);
  return past ? `${text} ago` : `in ${text}`;
}

/** `42 s`, `5 min`, `3 h`, `12 d`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400 * 2) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** The timestamp as `2026-11-28 14:03:05 UTC`; "—" for a time out of range. */
export function utc(date: Date): string {
  return validTime(date) ? `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '—';
}

/** ISO 8601 for a `title` or `datetime` attribute, or '' for a time out of range. */
export function isoTime(date: Date): string {
  return validTime(date) ? date.toISOString() : '';
}

/**
 * Whether a Date made from stored data holds a time: a score of +inf, a nanosecond timestamp or a garbled beat
 * makes an Invalid Date, whose toISOString() throws and would fail the whole page over one entry.
 */
function validTime(date: Date): boolean {
  return Number.isFinite(date.getTime());
}

/** KB as `12.3 MB`. */
export function kilobytes(kb: number): string {
  if (kb < 1024) return `${Math.round(kb)} KB`;
  if (kb < 1024 * 1024) return `${(kb / 1024).toFixed(1)} MB`;
  return `${(kb / 1024 / 1024).toFixed(2)} GB`;
}

/** Latency seconds: `0`, `1.25 s`, `3 min`. */
export function latency(seconds: number): string {
  if (seconds <= 0) return '0';
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  return duration(seconds);
}

/** The arguments as compact JSON, cut at `max` characters for a listing. */
export function argsPreview(args: readonly unknown[], max = 160): string {
  const text = args.map((arg) => jsonText(arg)).join(', ');
  return shortened(text, max);
}

/** `text` cut to at most `max` characters with an ellipsis, never between the two halves of an emoji (a `�`). */
export function shortened(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max - 1;
  const highSurrogate = /[\uD800-\uDBFF]/.test(text.charAt(end - 1));
  return `${text.slice(0, highSurrogate ? end - 1 : end)}…`;
}

/** What a value JSON cannot write shows instead: arguments nested thousands deep overflow the stack. */
const NOT_SHOWN = '(too deeply nested to show)';

/** JSON of a value; with `indent`, spread over lines only when one line would be long. */
export function jsonText(value: unknown, indent?: number): string {
  try {
    const line = JSON.stringify(value) ?? String(value);
    return indent === undefined || line.length <= 80 ? line : JSON.stringify(value, null, indent);
  } catch {
    // String() of a nested array recurses as deep: one such entry would fail its whole page.
    return NOT_SHOWN;
  }
}

/** JSON of a value over lines, two spaces deep, as a job's whole payload shows when unfolded. */
export function jsonBlock(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return NOT_SHOWN;
  }
}

/** Where the data lives, for the footer: the URL without its password, or "a connection you passed in". */
export function redisLabel(target: RedisTarget | RedisConnection): string {
  return isRedisConnection(target) ? 'the given connection' : describeTarget(target);
}

/** `INFO`'s `key:value` lines as an object. */
export function parseRedisInfo(text: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) info[line.slice(0, at)] = line.slice(at + 1);
  }
  return info;
}
