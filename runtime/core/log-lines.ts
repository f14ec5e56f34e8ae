/**
 * The two shapes of a log record on stdout (`--log-format text|json`), with the same fields in both:
 *  - text, Sidekiq's: `<time> pid=<pid> class=… jid=… elapsed=… LEVEL: message`, control characters escaped
 *    (`\n` as `\\n`) so what a job carries cannot forge a line; a field that is a list of lines (a stack) follows
 *    on lines of its own, indented, each escaped, so a reader tells them from the next record;
 *  - json: one object per line, `{"time","level","msg","pid",…fields}`, a list of lines joined by `\n` into one
 *    string, as Node's `error.stack` holds it.
 */
import type { LineBytes } from './line-bytes.js';
import type { LogContext, LogLevel } from './logger.js';

/** The fields a record carries besides time, level, message and pid, as JSON and handed-in loggers get them. */
export type LogFields = Record<string, string | number>;

export function textLine(time: number, level: LogLevel, message: string, context?: LogContext): string {
  let line = linePrefix(time);
  let below = '';
  if (context) {
    for (const key in context) {
      const value = context[key];
      if (value === undefined) continue;
      if (typeof value === 'object') {
        for (const text of value) below += `    ${escapeControls(text)}\n`;
      } else {
        line += ` ${escapeControls(key)}=${escapeControls(typeof value === 'string' ? value : String(value))}`;
      }
    }
  }
  return `${line} ${LEVEL_TAGS[level]}${escapeControls(message)}\n${below}`;
}

const LEVEL_TAGS: Readonly<Record<LogLevel, string>> = {
  debug: 'DEBUG: ',
  info: 'INFO: ',
  warn: 'WARN: ',
  error: 'ERROR: ',
};

/**
 * textLine's line appended to `out` as bytes, the same bytes as `Buffer.from(textLine(…))`: what a chunk for a stream
 * is built with. Every piece that repeats from line to line (the time prefix, field names, level tags) is encoded
 * once.
 */
export function textLineBytes(
  out: LineBytes,
  time: number,
  level: LogLevel,
  message: string,
  context?: LogContext,
): void {
  out.bytes(linePrefixBytes(time));
  let below: (readonly string[])[] | undefined;
  if (context) {
    for (const key in context) {
      const value = context[key];
      if (value === undefined) continue;
      if (typeof value === 'object') {
        below ??= [];
        below.push(value);
      } else {
        out.bytes(fieldNameBytes(key));
        out.text(typeof value === 'string' ? value : String(value));
      }
    }
  }
  out.bytes(LEVEL_TAG_BYTES[level]);
  out.text(message);
  out.byte(NEWLINE);
  if (below) {
    for (const lines of below) {
      for (const text of lines) {
        out.bytes(INDENT);
        out.text(text);
        out.byte(NEWLINE);
      }
    }
  }
}

/**
 * textLineBytes for a job's info line, `class=… jid=… [elapsed=…] INFO: message`, from the job's own strings (the
 * logger's jobInfo): the same bytes as textLine with those fields, in four copies. Everything but the jid repeats
 * from line to line and is encoded once: the time prefix with ` class=<class> jid=` (per millisecond and class),
 * ` elapsed=<seconds>`, and ` INFO: <message>` with its newline.
 */
export function jobLineBytes(
  out: LineBytes,
  time: number,
  message: string,
  className: string,
  jid: string,
  elapsed: string | undefined,
): void {
  writePrefixAndClass(out, time, className);
  out.text(jid);
  if (elapsed !== undefined) out.bytes(cachedBytes(elapsedFields, elapsed, ELAPSED_FIELD));
  out.bytes(cachedBytes(infoTails, message, INFO_TAIL));
}

const ELAPSED_FIELD = (elapsed: string) => ` elapsed=${escapeControls(elapsed)}`;
const INFO_TAIL = (message: string) => ` ${LEVEL_TAGS.info}${escapeControls(message)}\n`;
/** A done line's ` elapsed=…`: a no-op job's few values over and over. */
const elapsedFields = new Map<string, Buffer>();
/** ` INFO: start\n`, ` INFO: done\n`, … */
const infoTails = new Map<string, Buffer>();
const MAX_CACHED = 2048;

/**
 * `text` through `encode`, as UTF-8 bytes kept in `cache` for the next time: a process's few class names, field
 * names, messages and elapsed times. Past MAX_CACHED entries (text from data), encoded each time.
 */
function cachedBytes(cache: Map<string, Buffer>, text: string, encode: (text: string) => string): Buffer {
  let bytes = cache.get(text);
  if (bytes === undefined) {
    bytes = Buffer.from(encode(text));
    if (cache.size < MAX_CACHED) cache.set(text, bytes);
  }
  return bytes;
}

/**
 * `<time> pid=<pid> class=<class> jid=` as one piece, built again when the millisecond moves on, for the class of
 * that millisecond's first line. Another class's line in the same millisecond copies the two parts instead.
 */
let joined: Buffer = Buffer.alloc(0);
let joinedPrefix: Buffer | undefined;
let joinedClass: Buffer | undefined;
function writePrefixAndClass(out: LineBytes, time: number, className: string): void {
  const prefix = linePrefixBytes(time);
  const classField = classFieldBytes(className);
  if (prefix !== joinedPrefix) {
    joined = Buffer.concat([prefix, classField]);
    joinedPrefix = prefix;
    joinedClass = classField;
  } else if (classField !== joinedClass) {
    out.bytes(prefix);
    out.bytes(classField);
    return;
  }
  out.bytes(joined);
}

const NEWLINE = 0x0a;
const INDENT = Buffer.from('    ');
const LEVEL_TAG_BYTES = Object.fromEntries(
  Object.entries(LEVEL_TAGS).map(([level, tag]) => [level, Buffer.from(` ${tag}`)]),
) as Readonly<Record<LogLevel, Buffer>>;

/** ` class=<class> jid=` per class name, the last one's kept at hand. */
const classFields = new Map<string, Buffer>();
const CLASS_FIELD = (className: string) => ` class=${escapeControls(className)} jid=`;
let lastClass = '';
let lastClassBytes: Buffer = Buffer.alloc(0);
function classFieldBytes(className: string): Buffer {
  if (className !== lastClass) {
    lastClassBytes = cachedBytes(classFields, className, CLASS_FIELD);
    lastClass = className;
  }
  return lastClassBytes;
}

/** ` <name>=` per field name: the runtime's own few. */
const fieldNames = new Map<string, Buffer>();
const FIELD_NAME = (key: string) => ` ${escapeControls(key)}=`;
function fieldNameBytes(key: string): Buffer {
  return cachedBytes(fieldNames, key, FIELD_NAME);
}

let prefixBytesTime = Number.NaN;
let prefixBytesPid = 0;
let prefixBytes = Buffer.alloc(0);
function linePrefixBytes(time: number): Buffer {
  if (time !== prefixBytesTime || process.pid !== prefixBytesPid) {
    prefixBytes = Buffer.from(linePrefix(time));
    prefixBytesTime = time;
    prefixBytesPid = process.pid;
  }
  return prefixBytes;
}

/**
 * `<time> pid=<pid>`, built once per millisecond: at tens of thousands of lines a second most share their
 * millisecond, and the ISO date was the line's largest cost. The pid is read each time (a fork changes it).
 */
let prefixTime = Number.NaN;
let prefixPid = 0;
let prefix = '';
function linePrefix(time: number): string {
  if (time !== prefixTime || process.pid !== prefixPid) {
    prefixTime = time;
    prefixPid = process.pid;
    prefix = `${new Date(time).toISOString()} pid=${prefixPid}`;
  }
  return prefix;
}

export function jsonLine(time: number, level: LogLevel, message: string, context?: LogContext): string {
  const record: Record<string, string | number> = {
    time: new Date(time).toISOString(),
    level,
    msg: message,
    pid: process.pid,
  };
  if (context) {
    for (const key in context) {
      const value = context[key];
      // The record's own keys win: a field cannot pass for the time, the level or the message.
      if (value !== undefined && !(key in record))
        record[key] = typeof value === 'object' ? value.join('\n') : value;
    }
  }
  // JSON.stringify escapes C0 controls but leaves DEL, C1 and U+2028/9 raw: escape them as the text format does.
  return `${JSON.stringify(record).replace(HIDDEN_IN_JSON, unicodeEscape)}\n`;
}

/** The context without its empty fields, a list of lines as one string: what a handed-in logger is given. */
export function contextFields(context?: LogContext): LogFields {
  const fields: LogFields = {};
  if (context) {
    for (const key in context) {
      const value = context[key];
      if (value !== undefined) fields[key] = typeof value === 'object' ? value.join('\n') : value;
    }
  }
  return fields;
}

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators: what could end a line or hide text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same set, to test for (not global: no lastIndex).
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const HIDDEN_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `\n` → `\\n`, NUL → `\\x00`, U+2028 → `\\u2028`: a class name, an argument or an error message from a job can
 * hold any of them, and written raw they would start a forged log line or reach the log as bytes a reader hides.
 */
export function escapeControls(text: string): string {
  // Most text has none: testing first skips replace's work, the cheapest path for every job's line.
  if (!ANY_CONTROL.test(text)) return text;
  return text.replace(CONTROLS, (char) => {
    const code = char.charCodeAt(0);
    return (
      NAMED[char] ?? (code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`)
    );
  });
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
