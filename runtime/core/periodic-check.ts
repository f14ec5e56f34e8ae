/**
 * A registry's periodic entries checked once at start, so a bad one fails `sidepunch-run` with one clear line
 * rather than at its first tick: names unique, cron expressions and time zones valid, classes and arguments the
 * registry's own (sidepunch-gen checked all this at build time; a hand-written registry gets it here), and no
 * `debounce` (a debounced push waits to be replaced by the next; a tick's job is due at its tick).
 */
import { cronProblem, timeZoneProblem } from './cron.js';
import type { PeriodicEntry } from './periodic.js';
import type { ArgsValidator } from './registry.js';
import { uniqueProblem } from './unique.js';
import type { WorkerClass } from './worker.js';

export function periodicProblem(
  entries: unknown,
  workers: Readonly<Record<string, WorkerClass>>,
  validators: Readonly<Record<string, ArgsValidator>> | undefined,
): string | undefined {
  if (!Array.isArray(entries)) return 'periodic must be an array of periodic(…) entries';
  const names = new Set<string>();
  for (const [index, candidate] of entries.entries()) {
    const entry = candidate as Partial<PeriodicEntry> | null;
    const where = `periodic[${index}]`;
    if (!entry || typeof entry !== 'object') return `${where} is not a periodic(…) entry`;
    if (typeof entry.name !== 'string' || entry.name === '')
      return `${where}: the name must be a non-empty string`;
    const named = `periodic entry "${entry.name}"`;
    if (names.has(entry.name)) return `two periodic entries are named "${entry.name}"`;
    names.add(entry.name);
    if (typeof entry.cron !== 'string') return `${named}: the cron expression must be a string`;
    const cron = cronProblem(entry.cron);
    if (cron) return `${named}: cron "${entry.cron}": ${cron.message}`;
    if (entry.tz !== undefined) {
      const tz = typeof entry.tz === 'string' ? timeZoneProblem(entry.tz) : 'tz must be a string';
      if (tz) return `${named}: ${tz}`;
    }
    if (entry.missed !== 'skip' && entry.missed !== 'last')
      return `${named}: missed must be "skip" or "last"`;
    if (typeof entry.className !== 'string' || !Object.hasOwn(workers, entry.className))
      return `${named}: class ${String(entry.className)} is not one of the registry's workers`;
    if (!Array.isArray(entry.args)) return `${named}: args must be an array`;
    const queue = entry.options?.queue;
    if (queue !== undefined && (typeof queue !== 'string' || queue === ''))
      return `${named}: queue must be a non-empty string`;
    const options = { ...workers[entry.className]!.sidepunchOptions, ...entry.options };
    if (options.debounce !== undefined && options.debounce !== false)
      return `${named}: ${entry.className} is debounced, and a periodic job cannot wait to be replaced; give the entry jobs.${entry.className}.set({ debounce: false })`;
    const unique = options.unique === undefined ? undefined : uniqueProblem(options.unique);
    if (unique) return `${named}: "unique" ${unique}`;
    const validator =
      validators && Object.hasOwn(validators, entry.className) ? validators[entry.className] : undefined;
    const wrong = validator?.(entry.args);
    if (wrong) return `${named}: its arguments do not fit ${entry.className}.perform: ${wrong}`;
  }
  return undefined;
}
