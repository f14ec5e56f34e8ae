/**
 * Log lines in Sidekiq's shape: `<time> pid=<pid> [class=… jid=… elapsed=…] LEVEL: message`, with control
 * characters in the message and fields escaped (`\n` as `\\n`), so what a job carries cannot forge a line.
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
        if (value !== undefined) line += ` ${escapeControls(key)}=${escapeControls(String(value))}`;
      }
    }
    this.buffer += `${line} ${level.toUpperCase()}: ${escapeControls(message)}\n`;
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

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators: what could end a line or hide text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `\n` → `\\n`, NUL → `\\x00`, U+2028 → `\\u2028`: a class name, an argument or an error message from a job can
 * hold any of them, and written raw they would start a forged log line or reach the log as bytes a reader hides.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (char) => {
    const code = char.charCodeAt(0);
    return (
      NAMED[char] ?? (code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`)
    );
  });
}

/** For library users who enqueue only: warnings to stderr, nothing else. */
export const silentLogger: Logger = new LineLogger('warn', process.stderr);
