/**
 * The command line: `sidepunch-gen [--project tsconfig.json] [--out <stubs.ts>] [--registry <registry.js>]
 * [--server <module.ts>] [--check] [--watch] [--no-cache]`. A bad flag is a `UsageError`: one line, exit 2.
 */
import type { Settings } from './config.js';

export interface Flags extends Settings {
  readonly check: boolean;
  readonly watch: boolean;
  readonly help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: sidepunch-gen [options]

Finds every class that implements SidepunchWorker, proves each perform argument survives JSON, and writes
typed enqueue stubs and the registry sidepunch-run loads. Errors are printed like tsc's; exit 1 leaves the
previous files untouched.

Options:
  -p, --project <tsconfig>  the project to read (default: the nearest tsconfig.json, as tsc finds it)
  --out <file>              the typed stubs to write (default: src/sidepunch.generated.ts beside it)
  --registry <file>         the bundled registry to write (default: dist/registry.js beside it)
  --server <file>           a module whose default export is the registry's configureServer hook
                            (server and client middleware, error and death handlers); bundled in
  --check                   write nothing; exit 1 when the generated files are stale (for CI)
  -w, --watch               regenerate when a file changes
  --no-cache                ignore and do not write node_modules/.cache/sidepunch-gen
  -h, --help                show this help

Defaults can be set in package.json: { "sidepunch": { "project": …, "out": …, "registry": …, "server": …,
"cache": false } }
(paths relative to that package.json); flags win. Exit codes: 0 ok, 1 errors or stale, 2 bad usage.
`;

const VALUE_FLAGS: Readonly<Record<string, 'project' | 'out' | 'registry' | 'server'>> = {
  '--project': 'project',
  '-p': 'project',
  '--out': 'out',
  '--registry': 'registry',
  '--server': 'server',
};

export function parseFlags(argv: readonly string[]): Flags {
  const flags: { -readonly [K in keyof Flags]: Flags[K] } = { check: false, watch: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const setting = VALUE_FLAGS[name];
    if (setting) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) {
        throw new UsageError(`${name} needs a path`);
      }
      flags[setting] = value;
    } else if (inline !== undefined) {
      throw new UsageError(`${name} takes no value`);
    } else if (name === '--check') flags.check = true;
    else if (name === '--watch' || name === '-w') flags.watch = true;
    else if (name === '--no-cache') flags.cache = false;
    else if (name === '--help' || name === '-h') flags.help = true;
    else if (name.startsWith('-')) throw new UsageError(`unknown option ${name} (see sidepunch-gen --help)`);
    else throw new UsageError(`unexpected argument ${name} (see sidepunch-gen --help)`);
  }
  if (flags.check && flags.watch) throw new UsageError('--check and --watch cannot be combined');
  return flags;
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}
