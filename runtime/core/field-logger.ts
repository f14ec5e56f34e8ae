/**
 * A host's own logger in the runtime's place: pino, bunyan, a child of one (`pino().child({ app: 'jobs' })`), or
 * any object whose level methods take `(fields, message)`, pino's order. It gets the fields the text format prints
 * (class, jid, elapsed; a failed job's stack as one string) and decides the rest itself: time, level, pid, where
 * the lines go. Hand it in with `server.logger = …` in the registry's configureServer, or embedRuntime's `logger`.
 */
import { contextFields, type LogFields } from './log-lines.js';
import type { LogContext, Logger, LogLevel } from './logger.js';
import { isLogLevel } from './logger.js';

export type { LogFields };

export interface FieldLogger {
  debug(fields: LogFields, message: string): unknown;
  info(fields: LogFields, message: string): unknown;
  warn(fields: LogFields, message: string): unknown;
  error(fields: LogFields, message: string): unknown;
  /** pino's and winston's: when present, the runtime skips the lines it would drop (a `start` per job). */
  isLevelEnabled?(level: LogLevel): boolean;
  /** pino's: called before the process exits. */
  flush?(): unknown;
}

/** The runtime's own Logger as it is; a FieldLogger behind an adapter. */
export function asLogger(logger: Logger | FieldLogger): Logger {
  return isRuntimeLogger(logger) ? logger : new FieldLoggerAdapter(logger);
}

/** Only the runtime's Logger has `enabled(level)`: pino, bunyan and winston have none. */
function isRuntimeLogger(logger: Logger | FieldLogger): logger is Logger {
  return 'enabled' in logger && typeof logger.enabled === 'function';
}

class FieldLoggerAdapter implements Logger {
  constructor(private readonly target: FieldLogger) {}

  /** pino's `level` when it is one of ours; else debug (bunyan's `level` is a method). */
  get level(): LogLevel {
    const target = this.target;
    return 'level' in target && typeof target.level === 'string' && isLogLevel(target.level)
      ? target.level
      : 'debug';
  }

  enabled(level: LogLevel): boolean {
    return this.target.isLevelEnabled?.(level) ?? true;
  }

  debug(message: string, context?: LogContext): void {
    this.target.debug(contextFields(context), message);
  }
  info(message: string, context?: LogContext): void {
    this.target.info(contextFields(context), message);
  }
  warn(message: string, context?: LogContext): void {
    this.target.warn(contextFields(context), message);
  }
  error(message: string, context?: LogContext): void {
    this.target.error(contextFields(context), message);
  }

  flush(): void {
    this.target.flush?.();
  }
}
