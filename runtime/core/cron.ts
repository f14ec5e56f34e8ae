/**
 * Cron expressions, read and stepped by croner (zero dependencies; time zones through Intl, so daylight-saving
 * changes follow the IANA database as Vixie cron users expect). An expression whose second, minute and hour fields
 * hold no `*` and no step is a fixed time, lists and ranges included (croner's "no-wildcard" rule; its default
 * counts only single values): a time skipped by a spring-forward runs once, right after the change; a time repeated
 * by a fall-back runs once, at its first occurrence. Any other keeps firing every real minute or hour.
 * Accepted: 5 fields, or 6 with seconds first, and the `@hourly`-style macros. Ticks are whole epoch seconds.
 */
import { Cron } from 'croner';

/** What is wrong with an expression, and where: `offset` and `length` within the expression text. */
export interface CronProblem {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const FIVE = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;
const SIX = ['second', ...FIVE] as const;

/** undefined when croner accepts `expression` as Sidepunch allows it; else the bad field and why. */
export function cronProblem(expression: string): CronProblem | undefined {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    if (MACROS.has(trimmed.toLowerCase())) return undefined;
    return {
      offset: expression.indexOf('@'),
      length: trimmed.length,
      message: `unknown macro "${trimmed}" (known: ${[...MACROS].join(', ')})`,
    };
  }
  const fields = [...expression.matchAll(/\S+/g)];
  if (fields.length !== 5 && fields.length !== 6) {
    return {
      offset: 0,
      length: Math.max(1, expression.length),
      message: `a cron expression has 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; "${expression}" has ${fields.length}`,
    };
  }
  const names = fields.length === 5 ? FIVE : SIX;
  // Each field alone, the others `*`: croner's error then belongs to that field.
  for (let i = 0; i < fields.length; i++) {
    const alone = fields.map((field, j) => (i === j ? field[0] : '*')).join(' ');
    const error = croneError(fields.length === 5 ? `0 ${alone}` : alone);
    if (error) {
      return {
        offset: fields[i]!.index,
        length: fields[i]![0].length,
        message: `bad ${names[i]} field "${fields[i]![0]}": ${error}`,
      };
    }
  }
  const whole = croneError(expression);
  return whole ? { offset: 0, length: expression.length, message: whole } : undefined;
}

/** undefined when `tz` is an IANA time zone this Node knows. */
export function timeZoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone "${tz}" (an IANA name such as "Europe/Paris" or "America/New_York")`;
  }
}

function croneError(pattern: string): string | undefined {
  try {
    new Cron(pattern, { paused: true });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '').replace(COUNTED_FROM_ZERO, asWritten);
  }
}

/** croner counts months and days of the month from 0, and says so in its error: `13` is "month: 12". */
const COUNTED_FROM_ZERO = /^Invalid value for (month|day|nearestWeekdays): (-?\d+)$/;

function asWritten(_: string, unit: string, value: string): string {
  return `Invalid value for ${unit === 'month' ? 'month' : 'day'}: ${Number(value) + 1}`;
}

/** One entry's schedule: its ticks in epoch seconds. */
export class CronSchedule {
  private readonly cron: Cron;

  constructor(
    readonly expression: string,
    readonly tz?: string,
  ) {
    const problem =
      cronProblem(expression) ?? (tz === undefined ? undefined : { message: timeZoneProblem(tz) });
    if (problem?.message) throw new Error(`cron "${expression}": ${problem.message}`);
    this.cron = new Cron(expression, {
      paused: true,
      fixedTimeRule: 'no-wildcard',
      // Without a zone croner reads the fields in the host's local time (TZ): an entry without `tz` is UTC, on
      // every host, or hosts in different zones would each enqueue their own 09:00. (An offset of 0 is UTC without
      // Intl, several times faster than `timezone: 'UTC'`.)
      ...(tz === undefined ? { utcOffset: 0 } : { timezone: tz }),
    });
  }

  /** The first tick strictly after `afterSeconds`, or undefined when there is none (e.g. a date that never comes). */
  next(afterSeconds: number): number | undefined {
    const next = this.cron.nextRun(new Date(Math.floor(afterSeconds) * 1000));
    return next ? next.getTime() / 1000 : undefined;
  }

  /** The latest tick at or before `atSeconds`. */
  latest(atSeconds: number): number | undefined {
    const [previous] = this.cron.previousRuns(1, new Date((Math.floor(atSeconds) + 1) * 1000));
    return previous ? previous.getTime() / 1000 : undefined;
  }
}
