/**
 * The runtime's logger: lines in Sidekiq's text shape or as JSON (log-lines.ts). Logging a job's start and done
 * lines stays cheap at a hundred thousand jobs a second (issue #25): a record is kept as it was given (time,
 * level, message, fields) and formatted only when written, and what is held is written in one chunk every
 * FLUSH_EVERY_MS or once MAX_HELD records are held, not once per event-loop turn; warnings and errors are written
 * at once, with what was held before them. A text chunk for a stream (stdout) is built as UTF-8 bytes in one buffer
 * (line-bytes.ts), one write and no string to flatten and encode. Exit and crash paths call flush() (exit-guard.ts,
 * crash-guard.ts). Lines for stdout keep their place among the process's other writes there, a job's own
 * `console.log` included (stdio-order.ts). A host's own logger (pino and the like) can stand in for it
 * (field-logger.ts).
 */
import { Writable } from 'node:stream';
import { LineBytes } from './line-bytes.js';
import { jsonLine, textLine, textLineBytes } from './log-lines.js';
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
}

/** Where lines go: in the text format a stream (stdout) is given UTF-8 bytes, anything else a string. */
export interface LogSink {
  write(chunk: string | Uint8Array): unknown;
}

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

export function isLogFormat(value: string): value is LogFormat {
  return Object.hasOwn(FORMATS, value);
}

/** How long an info or debug line may wait to be written: short enough for `tail -f`, long enough for big writes. */
export const FLUSH_EVERY_MS = 10;
/** Held records that are written at once, whatever the time: bounds memory and the size of one write. */
export const MAX_HELD = 2048;
/** The most bytes a record is guessed at when sizing a chunk's buffer. */
const MAX_RECORD_GUESS = 512;

/**
 * Records waiting to be written, in parallel arrays of MAX_HELD slots allocated once and reused from chunk to chunk:
 * no object per line, no boxed time, and no array growing again after every write (at info, the growth and the
 * boxing were most of what a job's two lines allocated).
 */
class HeldRecords {
  readonly times = new Float64Array(MAX_HELD);
  readonly levels = new Array<LogLevel>(MAX_HELD);
  readonly messages = new Array<string>(MAX_HELD);
  readonly contexts = new Array<LogContext | undefined>(MAX_HELD);

  /** Lets go of the first `count` records' messages and contexts. */
  clear(count: number): void {
    this.messages.fill('', 0, count);
    this.contexts.fill(undefined, 0, count);
  }
}

export class LineLogger implements Logger {
  /** The records held now: `count` of its slots. */
  private held = new HeldRecords();
  private count = 0;
  /** The other set of slots, empty, for the next chunk; lent out while a flush formats from it. */
  private spare: HeldRecords | undefined = new HeldRecords();
  private timer: NodeJS.Timeout | undefined;
  private readonly line: typeof textLine;
  /** Text lines for a stream are built as bytes (line-bytes.ts): one buffer a chunk, no string to flatten. */
  private readonly asBytes: boolean;
  /** Bytes per record in the last chunk: the next chunk's first guess at its size. */
  private recordBytes = 128;
  /** Its lines go to stdout or stderr, where other writes must not overtake them. */
  private readonly ordered: boolean;

  constructor(
    readonly level: LogLevel = 'info',
    private readonly sink: LogSink = process.stdout,
    private readonly now: () => number = Date.now,
    format: LogFormat = 'text',
  ) {
    this.line = FORMATS[format];
    this.ordered = isStdio(sink);
    this.asBytes = format === 'text' && sink instanceof Writable;
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

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const records = this.count;
    if (records === 0) return;
    if (this.ordered) released(this);
    // The held slots are swapped out first: a line logged while they are formatted (from a field's toString, or a
    // sink's own handler) goes into the other set and the next chunk, and a flush it causes takes a new set.
    const formatted = this.held;
    const { times, levels, messages, contexts } = formatted;
    this.held = this.spare ?? new HeldRecords();
    this.spare = undefined;
    this.count = 0;
    let chunk: string | Buffer;
    try {
      if (this.asBytes) {
        const out = new LineBytes(records * this.recordBytes);
        for (let i = 0; i < records; i++)
          textLineBytes(out, times[i]!, levels[i]!, messages[i]!, contexts[i]);
        chunk = out.take();
        // Capped: one huge record (a long message) must not size every later chunk; the builder grows as needed.
        this.recordBytes = Math.min(Math.ceil(chunk.length / records), MAX_RECORD_GUESS);
      } else {
        chunk = '';
        for (let i = 0; i < records; i++)
          chunk += this.line(times[i]!, levels[i]!, messages[i]!, contexts[i]);
      }
    } finally {
      formatted.clear(records);
      this.spare = formatted;
    }
    this.sink.write(chunk);
  }

  private log(level: LogLevel, message: string, context?: LogContext): void {
    if (!this.enabled(level)) return;
    const at = this.count++;
    const held = this.held;
    held.times[at] = this.now();
    held.levels[at] = level;
    held.messages[at] = message;
    // Callers hand in a fresh context per call (a literal), so holding it until the write is safe.
    held.contexts[at] = context;
    if (level === 'error' || level === 'warn' || this.count >= MAX_HELD) {
      this.flush();
      return;
    }
    if (at === 0 && this.ordered) holding(this);
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
