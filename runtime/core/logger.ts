/**
 * The runtime's logger: lines in Sidekiq's text shape or as JSON (log-lines.ts), gathered and written once per
 * event-loop turn, so logging every job stays cheap at tens of thousands of jobs per second; warnings and errors
 * are written at once. Lines for stdout keep their place among the process's other writes there, a job's own
 * `console.log` included (stdio-order.ts). A host's own logger (pino and the like) can stand in for it
 * (field-logger.ts).
 */
import { jsonLine, textLine } from './log-lines.js';
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

export interface LogSink {
  write(text: string): unknown;
}

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

export function isLogFormat(value: string): value is LogFormat {
  return Object.hasOwn(FORMATS, value);
}

export class LineLogger implements Logger {
  private buffer = '';
  private scheduled = false;
  private readonly line: typeof textLine;
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
    if (this.buffer === '') return;
    const text = this.buffer;
    this.buffer = '';
    if (this.ordered) released(this);
    this.sink.write(text);
  }

  private log(level: LogLevel, message: string, context?: LogContext): void {
    if (!this.enabled(level)) return;
    const held = this.buffer !== '';
    this.buffer += this.line(this.now(), level, message, context);
    if (level === 'error' || level === 'warn') {
      this.flush();
      return;
    }
    if (!held && this.ordered) holding(this);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }
}

/** sidepunch-run's logger: its --log-level and --log-format, to stdout. */
export function runtimeLogger(settings: { readonly logLevel: LogLevel; readonly logFormat: LogFormat }) {
  return new LineLogger(settings.logLevel, process.stdout, Date.now, settings.logFormat);
}

/** For library users who enqueue only: warnings to stderr, nothing else. */
export const silentLogger: Logger = new LineLogger('warn', process.stderr);
