/**
 * Changes top-level fields of a job's JSON text in place, leaving every other byte as it was. A retry or a
 * re-push from the schedule must not re-serialise the arguments: JSON.parse would turn Ruby's 3.0 into 3 and round
 * integers beyond 2^53, and reorder nothing else either.
 */
import { formatSeconds } from './job.js';

/** Top-level fields that hold times: written as floats with a `.`. */
const TIME_FIELDS = new Set(['created_at', 'enqueued_at', 'failed_at', 'retried_at']);

interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Returns `raw` with each field of `changes` set (replaced where it is, appended where it is not) and each field
 * named in `remove` taken out. `raw` must be a JSON object; anything else throws.
 */
export function patchJob(
  raw: string,
  changes: Readonly<Record<string, unknown>>,
  remove: readonly string[] = [],
): string {
  const spans = topLevelValues(raw);
  const edits: { start: number; end: number; text: string }[] = [];
  const appended: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const text =
      TIME_FIELDS.has(field) && typeof value === 'number' ? formatSeconds(value) : JSON.stringify(value);
    const span = spans.get(field);
    if (span) edits.push({ start: span.start, end: span.end, text });
    else appended.push(`${JSON.stringify(field)}:${text}`);
  }
  for (const field of remove) {
    const span = spans.get(field);
    if (span) edits.push({ ...removalSpan(raw, span.keyStart, span.end), text: '' });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = raw;
  for (const edit of edits) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  if (appended.length === 0) return out;
  const close = out.lastIndexOf('}');
  const empty = /^\{\s*$/.test(out.slice(0, close));
  return `${out.slice(0, close)}${empty ? '' : ','}${appended.join(',')}${out.slice(close)}`;
}

/** The text span of each top-level value (and of its key), by field name; the last one wins, as in JSON.parse. */
function topLevelValues(raw: string): Map<string, Span & { keyStart: number }> {
  const spans = new Map<string, Span & { keyStart: number }>();
  let i = skipSpace(raw, 0);
  if (raw[i] !== '{') throw new SyntaxError('job payload is not a JSON object');
  i = skipSpace(raw, i + 1);
  if (raw[i] === '}') return spans;
  for (;;) {
    const keyStart = i;
    const keyEnd = skipString(raw, i);
    const key = JSON.parse(raw.slice(keyStart, keyEnd)) as string;
    i = skipSpace(raw, keyEnd);
    if (raw[i] !== ':') throw new SyntaxError('job payload is not valid JSON');
    const start = skipSpace(raw, i + 1);
    const end = skipValue(raw, start);
    spans.set(key, { keyStart, start, end });
    i = skipSpace(raw, end);
    if (raw[i] === ',') {
      i = skipSpace(raw, i + 1);
      continue;
    }
    if (raw[i] === '}') return spans;
    throw new SyntaxError('job payload is not valid JSON');
  }
}

/** A removed field takes one neighbouring comma with it. */
function removalSpan(raw: string, keyStart: number, valueEnd: number): { start: number; end: number } {
  const after = skipSpace(raw, valueEnd);
  if (raw[after] === ',') return { start: keyStart, end: skipSpace(raw, after + 1) };
  let before = keyStart - 1;
  while (before > 0 && /\s/.test(raw[before]!)) before--;
  return raw[before] === ',' ? { start: before, end: valueEnd } : { start: keyStart, end: valueEnd };
}

function skipSpace(raw: string, i: number): number {
  while (i < raw.length && (raw[i] === ' ' || raw[i] === '\n' || raw[i] === '\r' || raw[i] === '\t')) i++;
  return i;
}

function skipString(raw: string, i: number): number {
  if (raw[i] !== '"') throw new SyntaxError('job payload is not valid JSON');
  i++;
  while (i < raw.length) {
    const char = raw[i];
    if (char === '\\') i += 2;
    else if (char === '"') return i + 1;
    else i++;
  }
  throw new SyntaxError('job payload has an unterminated string');
}

function skipValue(raw: string, i: number): number {
  const first = raw[i];
  if (first === '"') return skipString(raw, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    while (i < raw.length) {
      const char = raw[i];
      if (char === '"') {
        i = skipString(raw, i);
        continue;
      }
      if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new SyntaxError('job payload has an unclosed bracket');
  }
  while (i < raw.length && !',}] \n\r\t'.includes(raw[i]!)) i++;
  return i;
}
