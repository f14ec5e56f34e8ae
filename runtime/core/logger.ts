/**
 * The runtime's logger: lines in Sidekiq's text shape or as JSON (log-lines.ts). Logging a job's start and done
 * lines stays cheap at a hundred thousand jobs a second (issue #25): a record is formatted as it is logged, straight
 * into the chunk being built, nothing held per line but its bytes; the chunk is written every FLUSH_EVERY_MS or once
 * it holds MAX_HELD records, not once per event-loop turn; warnings and errors are written at once, with what was
 * logged before them. A text chunk for a stream (stdout) is built as UTF-8 bytes in one buffer (line-bytes.ts), one
 * write and no string to flatten and encode. A job's own lines come through jobInfo: the job's strings and the
 * executor's clock reading, no object and no clock read per line. Exit and crash paths call flush() (exit-guard.ts,
 * crash-guard.ts). Lines for stdout keep their place among the process's other writes there, a job's own
 * `console.log` included (stdio-order.ts). A host's own logger (pino and the like) can stand in for it
 * (field-logger.ts).
 */
import { Writable } from 'node:stream';
import { LineBytes } from './line-bytes.js';
import { jobLineBytes, jsonLine, textLine, textLineBytes } from './log-lines.js';
import { holding, isStdio, released } from './stdio-order.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const FORMATS: Record<LogFormat, typeof textLine> = { text: textLine, json: jsonLine };

/** A record's fields; a list of lines (a stack) prints below the line in text, as one string in JSON. */
export type LogContext = Readonly<Record<string, string | number | readonly string[] | undefined>>;

export interface Logger {
  readonly level: LogLevel;
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
  enabled(level: LogLevel): boolean;
  /** Writes out what is buffered; call before exiting. */
  flush(): void;
  /**
   * A job's own info line (`start`, `done`) at `time` (epoch ms, the clock reading the caller took for the event),
   * its fields handed over as they are: the runtime's logger writes it with no object and no clock read of its own,
   * at two lines a job. Optional: logJobLine() gives a logger without it `info(message, { class, jid, elapsed })`.
   */
  jobInfo?(time: number, message: string, className: string, jid: string, elapsed?: string): void;
}

/** A job's info line through `logger`: its jobInfo when it has one, else info with the fields as a context. */
export function logJobLine(
  logger: Logger,
  time: number,
  message: string,
  className: string,
  jid: string,
  elapsed?: string,
): void {
  if (logger.jobInfo) logger.jobInfo(time, message, className, jid, elapsed);
  else logger.info(message, jobContext(className, jid, elapsed));
}

/** A job line's fields as a context, in the order the text format prints them. */
function jobContext(className: string, jid: string, elapsed: string | undefined): LogContext {
  return elapsed === undefined ? { class: className, jid } : { class: className, jid, elapsed };
}

/** Where lines go: in the text format a stream (stdout) is given UTF-8 bytes, anything else a string. */
export interface LogSink {
  write(chunk: string | Uint8Array): unknown;
}

export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(RANK, value);
}

export function isLogFormat(value: string): value is LogFormat {
  return Object.hasOwn(FORMATS, value);
}

/** How long an info or debug line may wait to be written: short enough for `tail -f`, long enough for big writes. */
export const FLUSH_EVERY_MS = 10;
/** Records in a chunk that is written at once, whatever the time: bounds memory and the size of one write. */
export const MAX_HELD = 2048;
/** The most bytes a chunk's buffer starts with: full chunks of a job's lines take about 200 KB. */
const MAX_CHUNK_GUESS = 512 * 1024;

export class LineLogger implements Logger {
  /** The records logged since the last write, as bytes (text to a stream) or as text (any other sink, JSON). */
  private bytes: LineBytes | undefined;
  private text = '';
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly line: typeof textLine;
  /** Text lines for a stream are built as bytes (line-bytes.ts): one buffer a chunk, no string to flatten. */
  private readonly asBytes: boolean;
  /** The next chunk's first size: a little more than the last one's, at a steady rate the size it will need. */
  private chunkGuess = 0;
  /** Its lines go to stdout or stderr, where other writes must not overtake them. */
  private readonly ordered: boolean;
  private readonly infoEnabled: boolean;

  constructor(
    readonly level: LogLevel = 'info',
    private readonly sink: LogSink = process.stdout,
    private readonly now: () => number = Date.now,
    format: LogFormat = 'text',
  ) {
    this.line = FORMATS[format];
    this.ordered = isStdio(sink);
    this.asBytes = format === 'text' && sink instanceof Writable;
    this.infoEnabled = this.enabled('info');
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  debug(message: string, context?: LogContext): void {
    this.log('debug', message, context);
  }
  info(message: string, context?: LogContext): void {
    this.log('info', message, context);
  }
  warn(message: string, context?: LogContext): void {
    this.log('warn', message, context);
  }
  error(message: string, context?: LogContext): void {
    this.log('error', message, context);
  }

  jobInfo(time: number, message: string, className: string, jid: string, elapsed?: string): void {
    if (!this.infoEnabled) return;
    // Whole milliseconds, as the line prints them: the time prefix is cached per millisecond.
    const at = Math.floor(time);
    if (this.asBytes) jobLineBytes(this.chunkBytes(), at, message, className, jid, elapsed);
    else this.text += this.line(at, 'info', message, jobContext(className, jid, elapsed));
    this.added('info');
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const records = this.count;
    if (records === 0) return;
    if (this.ordered) released(this);
    // Taken before writing: a line logged while the sink writes (from its own handler) starts the next chunk.
    let chunk: string | Buffer;
    if (this.bytes) {
      chunk = this.bytes.take();
      this.bytes = undefined;
      // Capped: one huge chunk (long messages) must not size every later one; the builder grows as needed.
      this.chunkGuess = Math.min(chunk.length + (chunk.length >> 3), MAX_CHUNK_GUESS);
    } else {
      chunk = this.text;
      this.text = '';
    }
    this.count = 0;
    this.sink.write(chunk);
  }

  private log(level: LogLevel, message: string, context?: LogContext): void {
    if (!this.enabled(level)) return;
    const time = this.now();
    if (this.asBytes) textLineBytes(this.chunkBytes(), time, level, message, context);
    else this.text += this.line(time, level, message, context);
    this.added(level);
  }

  /** The chunk being built. */
  private chunkBytes(): LineBytes {
    this.bytes ??= new LineBytes(this.chunkGuess);
    return this.bytes;
  }

  /** After a record is added: written now (a warning, an error, a full chunk), or within FLUSH_EVERY_MS. */
  private added(level: LogLevel): void {
    const count = ++this.count;
    if (level === 'error' || level === 'warn' || count >= MAX_HELD) {
      this.flush();
      return;
    }
    if (count === 1 && this.ordered) holding(this);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, FLUSH_EVERY_MS);
  }
}

/** sidepunch-run's logger: its --log-level and --log-format, to stdout. */
export function runtimeLogger(settings: { readonly logLevel: LogLevel; readonly logFormat: LogFormat }) {
  return new LineLogger(settings.logLevel, process.stdout, Date.now, settings.logFormat);
}

/** For library users who enqueue only: warnings to stderr, nothing else. */
export const silentLogger: Logger = new LineLogger('warn', process.stderr);
