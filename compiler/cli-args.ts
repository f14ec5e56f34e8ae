/**
 * The command line: `sidepunch-gen [--project tsconfig.json] [--out <stubs.ts>] [--registry <registry.js>]
 * [--registry-mode bundle|compiled|modules] [--server <module.ts>] [--check] [--watch] [--no-cache] [--no-record]
 * [--accept-break <Worker>]… [-v]`, parsed with
 * node:util's parseArgs as sidepunch-run and sidepunch-web parse theirs; the common flags and the wording of a bad
 * one come from runtime/cli/usage.ts. A bad flag is a `UsageError`: one line, exit 2.
 */
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, nonEmpty, parsedOrUsageError, UsageError } from '../runtime/cli/usage.js';
import { choicesText, REGISTRY_MODES, type RegistryMode, type Settings } from './config.js';

export { UsageError };

export interface Flags extends Settings {
  readonly check: boolean;
  readonly watch: boolean;
  /** Stop this project's build daemon (daemon-client.ts). */
  readonly stopDaemon: boolean;
  /** Print the settings, what was read and what was written, with times. */
  readonly verbose: boolean;
  readonly help: boolean;
  readonly version: boolean;
  /** Workers whose incompatible argument change to record as a new generation (docs/deploys.md). */
  readonly acceptBreak: readonly string[];
}

export const HELP = `Usage: sidepunch-gen [options]

Finds every class that implements SidepunchWorker, proves each perform argument survives JSON, and writes
typed enqueue stubs and the registry sidepunch-run loads. Errors are printed like tsc's; exit 1 leaves the
previous files untouched.

Options:
  -p, --project <tsconfig>  the project to read: a tsconfig, or a directory with a tsconfig.json (default: the
                            nearest tsconfig.json, as tsc finds it)
      --out <file>          the typed stubs to write (default: src/sidepunch.generated.ts beside it)
      --registry <file>     the registry to write (default: dist/registry.js beside it), in the module
                            format its nearest package.json gives .js files (CommonJS without "type": "module")
      --registry-mode <mode>
                            bundle: the workers' sources bundled into the registry (the default);
                            compiled: the registry imports tsc's output of each worker (run tsc after), so
                            import.meta.url and __dirname in a worker are its own compiled file's;
                            modules: the registry imports a tree of modules beside it (registry.modules/),
                            one per source file, so a rebuild builds only what changed (--watch's default
                            for an ES module registry)
      --server <file>       a module whose default export is the registry's configureServer hook
                            (server and client middleware, error and death handlers); bundled in
      --check               write nothing; exit 1 when the generated files are stale (for CI)
  -w, --watch               regenerate when a file changes
      --no-cache            ignore and do not write node_modules/.cache/sidepunch-gen
      --accept-break <Worker>
                            record an incompatible change of Worker's perform arguments as a new
                            generation: the jobs queued with the old ones will be rejected
                            (repeatable; see docs/deploys.md)
      --no-record           neither check nor write sidepunch.shapes.json, the record of each
                            worker's argument shapes kept beside the stubs
      --daemon              run in a background build daemon that keeps the project loaded, started when
                            none runs (also SIDEPUNCH_GEN_DAEMON=1; never under CI)
      --stop-daemon         stop this project's build daemon
  -v, --verbose             also print the settings, what was read and each file written, with times
  -h, --help                show this help
  -V, --version             show the version

Defaults can be set in package.json: { "sidepunch": { "project": …, "out": …, "registry": …,
"registryMode": "compiled", "server": …, "cache": false, "record": false, "daemon": true } }
(paths relative to that package.json); flags win. Exit codes: 0 ok, 1 errors or stale, 2 bad usage,
3 ts-morph or esbuild not installed (or of an unsupported version).
`;

export function parseFlags(argv: readonly string[]): Flags {
  const { values } = parsedOrUsageError(argv, () => parseArgv(argv));
  const flags: Flags = {
    project: nonEmpty('project', values.project),
    out: nonEmpty('out', values.out),
    registry: nonEmpty('registry', values.registry),
    registryMode: registryMode(nonEmpty('registry-mode', values['registry-mode'])),
    server: nonEmpty('server', values.server),
    cache: values['no-cache'] ? false : undefined,
    record: values['no-record'] ? false : undefined,
    acceptBreak: values['accept-break'] ?? [],
    check: values.check ?? false,
    watch: values.watch ?? false,
    daemon: values.daemon ? true : undefined,
    stopDaemon: values['stop-daemon'] ?? false,
    verbose: values.verbose ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
  if (flags.check && flags.watch) throw new UsageError('--check and --watch cannot be combined');
  if (flags.acceptBreak.length > 0 && (flags.check || flags.watch)) {
    throw new UsageError(`--accept-break cannot be combined with --${flags.check ? 'check' : 'watch'}`);
  }
  if (flags.acceptBreak.length > 0 && flags.record === false) {
    throw new UsageError('--accept-break cannot be combined with --no-record');
  }
  if (flags.daemon && flags.watch) throw new UsageError('--daemon and --watch cannot be combined');
  if (flags.stopDaemon && (flags.check || flags.watch || flags.daemon)) {
    throw new UsageError('--stop-daemon cannot be combined with --check, --watch or --daemon');
  }
  return flags;
}

function registryMode(text: string | undefined): RegistryMode | undefined {
  if (text === undefined || (REGISTRY_MODES as readonly string[]).includes(text)) return text as RegistryMode;
  throw new UsageError(`flag --registry-mode must be ${choicesText(REGISTRY_MODES)}`);
}

function parseArgv(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      project: { type: 'string', short: 'p' },
      out: { type: 'string' },
      registry: { type: 'string' },
      'registry-mode': { type: 'string' },
      server: { type: 'string' },
      check: { type: 'boolean' },
      watch: { type: 'boolean', short: 'w' },
      'no-cache': { type: 'boolean' },
      'no-record': { type: 'boolean' },
      'accept-break': { type: 'string', multiple: true },
      daemon: { type: 'boolean' },
      'stop-daemon': { type: 'boolean' },
      ...COMMON_FLAGS,
    },
  });
}
