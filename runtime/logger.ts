/**
 * Log lines in Sidekiq's shape: `<time> pid=<pid> [class=… jid=… elapsed=…] LEVEL: message`.
 * Lines are gathered and written once per event-loop turn, so logging every job stays cheap at
 * tens of thousands of jobs per second.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogContext = Readonly<Record<string, string | number | undefined>>;

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

export class LineLogger implements Logger {
  private buffer = '';
  private scheduled = false;

  constructor(
    readonly level: LogLevel = 'info',
    private readonly sink: LogSink = process.stdout,
    private readonly now: () => number = Date.now,
  ) {}

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
    this.sink.write(text);
  }

  private log(level: LogLevel, message: string, context?: LogContext): void {
    if (!this.enabled(level)) return;
    let line = `${new Date(this.now()).toISOString()} pid=${process.pid}`;
    if (context) {
      for (const key in context) {
        const value = context[key];
        if (value !== undefined) line += ` ${key}=${value}`;
      }
    }
    this.buffer += `${line} ${level.toUpperCase()}: ${message}\n`;
    if (level === 'error' || level === 'warn') {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }
}

/** For library users who enqueue only: warnings to stderr, nothing else. */
export const silentLogger: Logger = new LineLogger('warn', process.stderr);
