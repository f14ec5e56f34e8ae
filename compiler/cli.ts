/**
 * `sidepunch-gen`:
 *  1. parse flags (a usage error: one line, exit 2); `--help` and `--version` need nothing else;
 *  2. check that ts-morph and esbuild, the app's devDependencies, are installed at supported versions (one line
 *     naming the npm command that installs them, exit 3);
 *  3. resolve the settings (a settings error: one line, exit 2); `-v` prints them;
 *  4. when the cache shows nothing changed, stop there, before TypeScript is even loaded;
 *  5. generate in memory, re-analyzing only the files an edit can affect when the cache allows (reuse.ts); on
 *     any diagnostic print them all like tsc and exit 1, writing nothing (a solution-style tsconfig, with
 *     references and no files, is one line naming them, exit 2);
 *  6. `--check`: compare with the files on disk (exit 1 when stale); otherwise write what changed, delete the
 *     built modules the registry no longer imports (stale-modules.ts), and say which tsconfig was read when it
 *     holds no worker;
 *  7. record the run in the cache.
 * `-v` also says what was read and which files were written, with times. `--watch` hands over to watch.ts.
 * With the build daemon on (`--daemon`), steps 4–7 run in it instead (daemon-client.ts), unless it cannot be used.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { usageLine, versionLine } from '../runtime/cli/usage.js';
import { buildDependencyProblem, MISSING_BUILD_DEPENDENCY_EXIT } from './build-dependencies.js';
import { freshRun, previousRun, recordRun } from './cache.js';
import { HELP, parseFlags, UsageError } from './cli-args.js';
import { ConfigError, type GenConfig, resolveConfig } from './config.js';
// Light, as every static import here is (TypeScript and esbuild come in by dynamic imports below): a run
// through the build daemon loads nothing heavy in this process.
import { daemonWanted, runThroughDaemon, stopDaemon } from './daemon-client.js';
import { formatDiagnostics, relativePath } from './format-diagnostics.js';
import { modulesDirOf } from './module-layout.js';
import { type Output, staleOutputs, writeGeneration } from './outputs.js';
import { type ModulesTree, staleModules } from './stale-modules.js';

export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly color: boolean;
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stderr.isTTY === true && !process.env.NO_COLOR,
  };
}

/** How the build daemon runs `main` (daemon-server.ts). */
export interface MainOptions {
  /** The daemon's kept project, in place of a fresh generation (and no daemon of its own). */
  readonly generate?: (
    config: GenConfig,
    options: { readonly acceptBreak: readonly string[] },
  ) => Promise<import('./generate.js').Generation>;
  /** Time the client spent before the daemon started this run. */
  readonly elapsedMs?: number;
}

export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  options: MainOptions = {},
): Promise<number> {
  const started = performance.now() - (options.elapsedMs ?? 0);
  let config: GenConfig;
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
    if (flags.help) {
      io.stdout(HELP);
      return 0;
    }
    if (flags.version) {
      io.stdout(versionLine('sidepunch-gen'));
      return 0;
    }
    const missing = buildDependencyProblem();
    if (missing) {
      io.stderr(`sidepunch-gen: ${missing}\n`);
      return MISSING_BUILD_DEPENDENCY_EXIT;
    }
    config = resolveConfig(flags, io.cwd, { watch: flags.watch });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(usageLine('sidepunch-gen', error.message));
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`sidepunch-gen: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (flags.stopDaemon) return stopDaemon(config.project, io);
  if (!options.generate && !flags.watch && daemonWanted(flags, config)) {
    const request = {
      argv,
      cwd: io.cwd,
      color: io.color,
      elapsedMs: performance.now() - started,
      timings: Boolean(process.env.SIDEPUNCH_GEN_TIMINGS),
    };
    const code = await runThroughDaemon(config.project, request, io, () => freshRun(config) !== undefined);
    if (code !== undefined) return code;
  }
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(2)}s`;
  const detail = flags.verbose ? (text: string) => io.stdout(`sidepunch-gen: ${text}\n`) : () => {};
  detail(describeSettings(config));
  if (flags.watch) {
    const { readTsconfig, ProjectError } = await import('./project.js');
    try {
      readTsconfig(config.project);
    } catch (error) {
      if (!(error instanceof ProjectError)) throw error;
      io.stderr(`sidepunch-gen: ${error.message}\n`);
      return 2;
    }
    const { watchAndGenerate } = await import('./watch.js');
    await watchAndGenerate(config, io, { signals: true }).closed;
    return 0;
  }
  const names = `${relativePath(config.out, io.cwd)} and ${relativePath(config.registry, io.cwd)}`;

  const fresh = flags.acceptBreak.length > 0 ? undefined : freshRun(config);
  if (fresh) {
    io.stdout(
      `sidepunch-gen: ${plural(fresh.workers, 'worker')}; ${names} are up to date (cached, ${seconds()})\n`,
    );
    return 0;
  }

  detail(`${config.cache ? 'no cached run matches: ' : ''}reading the project (${seconds()})`);
  const { generate } = await import('./generate.js');
  const { ProjectError } = await import('./project.js');
  let generation: Awaited<ReturnType<typeof generate>>;
  try {
    generation = options.generate
      ? await options.generate(config, { acceptBreak: flags.acceptBreak })
      : await generate(config, { previousRun: previousRun(config), acceptBreak: flags.acceptBreak });
  } catch (error) {
    if (error instanceof ProjectError) {
      io.stderr(`sidepunch-gen: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (generation.diagnostics.length > 0) {
    io.stderr(formatDiagnostics(generation.diagnostics, { cwd: io.cwd, color: io.color }));
    return 1;
  }
  const analyzed = generation.analyzedFiles ?? 0;
  const reused = generation.reuse ? Math.max(0, Object.keys(generation.reuse.files).length - analyzed) : 0;
  detail(
    `analyzed ${plural(analyzed, 'project file')}${reused > 0 ? `, reused the results of ${reused}` : ''}`,
  );
  detail(
    `read ${plural(generation.inputs?.files.length ?? 0, 'file')} and generated in memory (${seconds()})`,
  );

  let written: Output[] = [];
  let removed: string[] = [];
  if (flags.check) {
    const stale = [
      ...staleOutputs(generation.outputs).map((output) => output.path),
      ...(generation.modulesTree ? staleModules(generation.modulesTree) : []),
    ];
    if (stale.length > 0) {
      const names = stale.map((file) => relativePath(file, io.cwd));
      const files = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
      io.stderr(
        `sidepunch-gen --check: ${files} ${stale.length === 1 ? 'is' : 'are'} out of date. Run sidepunch-gen.\n`,
      );
      return 1;
    }
  } else {
    ({ written, removed } = writeGeneration(generation));
  }
  for (const output of generation.outputs) {
    const file = relativePath(output.path, io.cwd);
    if (written.includes(output)) detail(`wrote ${file} (${Buffer.byteLength(output.text)} bytes)`);
    else detail(`${file} is up to date`);
  }
  for (const file of removed) detail(`removed ${relativePath(file, io.cwd)}`);
  recordRun(config, { ...generation.inputs!, outputs: generation.outputs.map((output) => output.path) });
  const count =
    generation.workers > 0
      ? plural(generation.workers, 'worker')
      : `no worker (no exported class implements SidepunchWorker in the files of ${relativePath(config.project, io.cwd)})`;
  for (const note of generation.notes ?? []) io.stdout(`sidepunch-gen: ${note}\n`);
  const removal = removed.length > 0 ? `; ${removedFiles(removed, generation.modulesTree!, io.cwd)}` : '';
  if (written.length > 0) {
    const files = writtenFiles(written, config, io.cwd);
    io.stdout(`sidepunch-gen: ${count} → ${files}${removal} (${seconds()})\n`);
  } else {
    io.stdout(`sidepunch-gen: ${count}; ${names} are up to date${removal} (${seconds()})\n`);
  }
  return 0;
}

/** The files written, the modules layout's tree as one entry: `dist/registry.modules/ (2,001 modules)`. */
function writtenFiles(written: readonly Output[], config: GenConfig, cwd: string): string {
  const modulesDir = modulesDirOf(config.registry) + path.sep;
  const modules = written.filter((output) => output.path.startsWith(modulesDir)).length;
  const files = written
    .filter((output) => !output.path.startsWith(modulesDir))
    .map((output) => relativePath(output.path, cwd));
  if (modules > 0) files.push(`${relativePath(modulesDir, cwd)}/ (${plural(modules, 'module')})`);
  return files.join(', ');
}

/** `removed 2 stale modules from dist/registry.modules/`, or `removed dist/registry.modules/` (another layout). */
function removedFiles(removed: readonly string[], tree: ModulesTree, cwd: string): string {
  const dir = `${relativePath(tree.dir, cwd)}/`;
  if (tree.modules.length === 0) return `removed ${dir}`;
  return `removed ${plural(removed.length, 'stale module')} from ${dir}`;
}

function describeSettings(config: GenConfig): string {
  const shown = (file: string | false | undefined) => (file ? relativePath(file, config.cwd) : 'none');
  return [
    `project ${shown(config.project)}`,
    `stubs ${shown(config.out)}`,
    `registry ${shown(config.registry)} (${config.registryMode} mode, ${FORMAT_NAMES[config.registryFormat]})`,
    `server module ${shown(config.server)}`,
    `cache ${config.cache ? shown(config.cache) : 'off'}`,
    `record ${config.record ? shown(config.record) : 'off'}`,
  ].join(', ');
}

const FORMAT_NAMES = { esm: 'ES module', cjs: 'CommonJS' } as const;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
