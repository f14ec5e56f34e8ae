/**
 * `sidepunch-gen --watch`: generate, then regenerate when a source file or the tsconfig changes.
 *  1. load the project once and keep it; watch the directories the tsconfig globs and the config files;
 *  2. gather changes for a moment (an editor's save is several events), ignoring our own outputs;
 *  3. an edited, added or removed file is refreshed in the kept project (TypeScript reuses the other files'
 *     syntax trees and bindings); a changed tsconfig reloads the project;
 *  4. only the files an edit can affect are analyzed again (reuse-analysis.ts), the other files' workers are
 *     kept from the last successful run, and one esbuild context rebuilds the registry;
 *  5. each run prints tsc's watch lines and its diagnostics, and writes only when it has none.
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { RegistryBundler } from './bundle.js';
import { recordRun } from './cache.js';
import type { CliIo } from './cli.js';
import type { GenConfig } from './config.js';
import { formatDiagnostics } from './format-diagnostics.js';
import { type Generation, generate } from './generate.js';
import { writeOutputs } from './outputs.js';
import { phaseTimer } from './phase-timer.js';
import { type LoadedProject, loadProject } from './project.js';
import type { ReuseState } from './reuse-analysis.js';

export interface Watcher {
  /** Resolves once the watcher is closed (by `close()`, SIGINT or SIGTERM). */
  readonly closed: Promise<void>;
  /** Resolves with the next run's result (the first run's, right after start). */
  nextRun(): Promise<Generation>;
  close(): void;
}

const SETTLE_MS = 80;
const SOURCE = /\.(c|m)?tsx?$|\.json$/;

export function watchAndGenerate(config: GenConfig, io: CliIo, options: { signals?: boolean } = {}): Watcher {
  let loaded: LoadedProject | undefined;
  let watchers: FSWatcher[] = [];
  let watching = '';
  let isClosed = false;
  const changed = new Set<string>();
  /** The last successful run's per-file results, and every file written since that run. */
  let reuse: ReuseState | undefined;
  const sinceReuse = new Set<string>();
  const bundler = new RegistryBundler();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let waiting: ((generation: Generation) => void)[] = [];
  let closeWatcher!: () => void;
  const closed = new Promise<void>((resolve) => {
    closeWatcher = resolve;
  });
  const ignored = new Set([config.out, config.registry, config.record || '', config.cache || '']);
  const stamp = () => `[${new Date().toLocaleTimeString()}]`;

  const run = async (reason: string) => {
    if (isClosed) return;
    io.stdout(`${stamp()} ${reason}\n\n`);
    const timer = phaseTimer();
    try {
      if (needsReload(changed, loaded)) {
        changed.clear();
        reuse = undefined;
        sinceReuse.clear();
        const fresh = loadProject(config.project);
        if ('diagnostics' in fresh) {
          loaded = undefined;
          startWatching({ configFiles: [config.project], wildcardDirectories: {} });
          return report({ diagnostics: fresh.diagnostics, outputs: [], workers: 0 });
        }
        loaded = fresh;
        startWatching(loaded);
      } else {
        refresh(loaded!, changed, config.project);
        for (const file of changed) sinceReuse.add(file);
        changed.clear();
      }
      timer.mark('refresh the project');
      const generation = await generate(config, {
        loaded,
        bundler,
        reuse: reuse ? { previous: reuse, changed: new Set(sinceReuse) } : undefined,
      });
      if (generation.diagnostics.length === 0) {
        reuse = generation.reuse;
        sinceReuse.clear();
      }
      report(generation);
      timer.mark('write and record');
    } catch (error) {
      io.stderr(`sidepunch-gen: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };

  const report = (generation: Generation) => {
    if (generation.diagnostics.length > 0) {
      io.stdout(formatDiagnostics(generation.diagnostics, { cwd: io.cwd, color: io.color }));
    } else {
      writeOutputs(generation.outputs);
      if (generation.inputs) {
        recordRun(config, { ...generation.inputs, outputs: generation.outputs.map((output) => output.path) });
      }
    }
    const count = generation.diagnostics.length;
    io.stdout(`${stamp()} Found ${count} error${count === 1 ? '' : 's'}. Watching for file changes.\n\n`);
    const resolvers = waiting;
    waiting = [];
    for (const resolve of resolvers) resolve(generation);
  };

  const schedule = () => {
    if (isClosed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (running) return void running.then(schedule);
      running = run('File change detected. Starting incremental generation...').finally(() => {
        running = undefined;
      });
    }, SETTLE_MS);
  };

  const onEvent = (dir: string) => (_event: string, name: string | Buffer | null) => {
    if (!name) return;
    const file = path.resolve(dir, name.toString());
    if (ignored.has(file) || file.includes(`${path.sep}node_modules${path.sep}`) || !SOURCE.test(file))
      return;
    changed.add(file);
    schedule();
  };

  /** (Re)starts the file watchers when what to watch changed. */
  const startWatching = (project: Pick<LoadedProject, 'configFiles' | 'wildcardDirectories'>) => {
    const signature = JSON.stringify([project.configFiles, project.wildcardDirectories]);
    if (signature === watching) return;
    watching = signature;
    for (const watcher of watchers) watcher.close();
    watchers = [];
    for (const [dir, recursive] of Object.entries(project.wildcardDirectories)) {
      if (existsSync(dir)) watchers.push(watch(dir, { recursive }, onEvent(dir)));
    }
    for (const file of project.configFiles) {
      watchers.push(watch(file, () => onEvent(path.dirname(file))('change', path.basename(file))));
    }
  };

  const close = () => {
    isClosed = true;
    void bundler.dispose();
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
    watchers = [];
    if (options.signals) {
      process.off('SIGINT', close);
      process.off('SIGTERM', close);
    }
    closeWatcher();
  };
  if (options.signals) {
    process.once('SIGINT', close);
    process.once('SIGTERM', close);
  }

  running = run('Starting generation in watch mode...').finally(() => {
    running = undefined;
  });
  return {
    closed,
    close,
    nextRun: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

/** A changed config file reloads the project; source files are refreshed in place. */
function needsReload(changed: ReadonlySet<string>, loaded: LoadedProject | undefined): boolean {
  if (!loaded) return true;
  return [...changed].some((file) => loaded.configFiles.includes(file));
}

/**
 * Edited files are re-read; an added file joins when the tsconfig includes it, a removed one leaves; then the
 * files the project's files import are added, as loading the tsconfig would.
 */
function refresh(loaded: LoadedProject, changed: ReadonlySet<string>, tsconfig: string): void {
  const { project } = loaded;
  let included: Set<string> | undefined;
  for (const file of changed) {
    const known = project.getSourceFile(file);
    if (!existsSync(file)) {
      if (known) project.removeSourceFile(known);
      continue;
    }
    if (known) {
      known.refreshFromFileSystemSync();
      continue;
    }
    included ??= includedFiles(tsconfig);
    if (included.has(path.resolve(file))) project.addSourceFileAtPath(file);
  }
  project.resolveSourceFileDependencies();
}

function includedFiles(tsconfig: string): Set<string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  return new Set((parsed?.fileNames ?? []).map((file) => path.resolve(file)));
}
