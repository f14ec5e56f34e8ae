/**
 * The launcher's logger: the runtime's own until the registry's configureServer hands it another
 * (`server.logger = pino()`). Everything built before the hook ran (the Redis connections, the actors) holds this
 * one, so the switch reaches them all; what was written before it stays where it went. flush() flushes the
 * runtime's own logger too: sidepunch-run's process-wide parts (metrics page, parent watch) keep writing to it.
 */
import { type LogContext, type Logger, type LogLevel, logJobLine } from '../core/logger.js';

export class LauncherLogger implements Logger {
  private target: Logger;

  constructor(private readonly own: Logger) {
    this.target = own;
  }

  /** From now on lines go to `next`; what the previous logger holds is written first. */
  use(next: Logger): void {
    if (next === this.target) return;
    this.target.flush();
    this.target = next;
  }

  get level(): LogLevel {
    return this.target.level;
  }
  enabled(level: LogLevel): boolean {
    return this.target.enabled(level);
  }
  debug(message: string, context?: LogContext): void {
    this.target.debug(message, context);
  }
  info(message: string, context?: LogContext): void {
    this.target.info(message, context);
  }
  warn(message: string, context?: LogContext): void {
    this.target.warn(message, context);
  }
  error(message: string, context?: LogContext): void {
    this.target.error(message, context);
  }
  jobInfo(time: number, message: string, className: string, jid: string, elapsed?: string): void {
    logJobLine(this.target, time, message, className, jid, elapsed);
  }
  flush(): void {
    this.own.flush();
    if (this.target !== this.own) this.target.flush();
  }
}
