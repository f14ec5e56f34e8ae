/**
 * What the three commands (`sidepunch-gen`, `sidepunch-run`, `sidepunch-web`) share about their command lines, so
 * a user meets one convention: `-v`/`--verbose`, `-h`/`--help` and `-V`/`--version` (which prints
 * `<command> <version>`), and a wrong flag or value as a UsageError, printed as one line that points at --help
 * (exit 2). Imports nothing but the version, so the compiler can use it without loading the runtime.
 */
import { sidepunchVersion } from '../core/version.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The flags every command takes, with the same letters (parseArgs options). */
export const COMMON_FLAGS = {
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

export function versionLine(command: string): string {
  return `${command} ${sidepunchVersion()}\n`;
}

export function usageLine(command: string, message: string): string {
  return `${command}: ${message} (see --help)\n`;
}

/** Runs `parse` (Node's parseArgs over `argv`): what it refuses is a UsageError saying what the user got wrong. */
export function parsedOrUsageError<T>(argv: readonly string[], parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(rephraseParseError(error as Error, argv));
  }
}

/** Node's parseArgs messages are long and talk about positionals; say what the user got wrong. */
function rephraseParseError(error: Error & { code?: string }, argv: readonly string[]): string {
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown flag ${flag}`;
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && flag) return `unexpected argument ${flag}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    const typed = typedForm(flag, argv);
    if (error.message.includes('does not take an argument')) return `flag ${typed} takes no value`;
    // A negative number after it (`-t -1`) reads as a flag to parseArgs: say what the value is.
    const next = argv[argv.lastIndexOf(typed) + 1];
    if (error.message.includes('is ambiguous') && next !== undefined && /^-\d/.test(next))
      return `flag ${typed} must not be negative, not "${next}"`;
    // Missing at the end, or followed by another flag (`--out --check`: "ambiguous").
    if (error.message.includes('argument missing') || error.message.includes('is ambiguous'))
      return `flag ${typed} needs a value`;
    return `flag ${typed} has a bad value`;
  }
  return error.message.split('\n')[0] ?? 'bad arguments';
}

/** `'-c, --concurrency <value>'` names both forms of a flag: say the one the user typed (the last time). */
function typedForm(described: string, argv: readonly string[]): string {
  const forms = described.replace(/ <value>$/, '').split(', ');
  const names = argv.map((arg) => arg.split('=')[0]!);
  return names.findLast((name) => forms.includes(name)) ?? forms[0]!;
}

/** An empty value (`--host ''`, `--out=`) is as good as none. */
export function nonEmpty(name: string, text: string | undefined): string | undefined {
  if (text !== undefined && text.trim() === '') throw new UsageError(`flag --${name} needs a value`);
  return text;
}

/** Runs `parse`; a UsageError is one line on stderr (`<command>: … (see --help)`) and exit 2. */
export function parseOrExit<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(usageLine(command, error.message));
    process.exit(2);
  }
}
