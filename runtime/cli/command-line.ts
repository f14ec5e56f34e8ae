/**
 * How `sidepunch-run` and `sidepunch-run check` read their command lines: node:util's parseArgs, strict, with the
 * command's own flags and the common ones (usage.ts), a parse error turned into a UsageError in the user's terms,
 * and the registry file as the one positional argument.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { COMMON_FLAGS, parsedOrUsageError, UsageError } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;
interface Config<T extends Options> {
  args: string[];
  allowPositionals: true;
  strict: true;
  options: T & typeof COMMON_FLAGS;
}

export function parseCommandLine<const T extends Options>(
  argv: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<Config<T>>> {
  return parsedOrUsageError(argv, () =>
    parseArgs<Config<T>>({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { ...options, ...COMMON_FLAGS },
    }),
  );
}

/** The registry file, when one is named; naming more is a UsageError. Asked after `--help` and `--version`. */
export function registryArgument(positionals: readonly string[]): string | undefined {
  if (positionals.length > 1)
    throw new UsageError(`expected one registry file, got ${positionals.join(' ')}`);
  return positionals[0];
}
