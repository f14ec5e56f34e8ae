/**
 * What `sidepunch-run` and `sidepunch-web` share about their command lines: a wrong flag or value is a UsageError,
 * printed as one line that points at --help, and the process exits 2.
 */

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Node's parseArgs messages are long and talk about positionals; say what the user got wrong. */
export function rephraseParseError(error: Error & { code?: string }): string {
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown flag ${flag}`;
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && flag) return `unexpected argument ${flag}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    // `'-c, --concurrency <value>'` or `'--port <value>'`: name the flag as the user typed it.
    return `flag ${flag.split(/[ ,]/)[0]} ${error.message.includes('argument missing') ? 'needs a value' : 'has a bad value'}`;
  }
  return error.message.split('\n')[0] ?? 'bad arguments';
}

/** Runs `parse`; a UsageError is one line on stderr (`<command>: … (see --help)`) and exit 2. */
export function parseOrExit<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${command}: ${error.message} (see --help)\n`);
    process.exit(2);
  }
}
