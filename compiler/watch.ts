/**
 * `sidepunch-gen --watch`: generate, then regenerate when a source file or the tsconfig changes.
 *  1. load the project once and keep it (kept-project.ts); watch the directories the tsconfig globs and the
 *     config files (the tsconfigs, and the package.json files that decide how imports resolve);
 *  2. gather changes for a moment (an editor's save is several events), ignoring our own outputs;
 *  3. hand them to the kept project, which refreshes the changed files (a changed tsconfig reloads it),
 *     re-analyzes only what they affect and rebuilds the registry with one esbuild context;
 *  4. each run prints tsc's watch lines and its diagnostics, and writes only when it has none (deleting the
 *     built modules the registry no longer imports, stale-modules.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { recordRun } from './cache.js';
import type { CliIo } from './cli.js';
import type { GenConfig } from './config.js';
import { formatDiagnostics } from './format-diagnostics.js';
import type { Generation } from './generate.js';
import { KeptProject, type Watched } from './kept-project.js';
import { writeGeneration } from './outputs.js';
import { phaseTimer } from './phase-timer.js';
import { type TreeWatcher, watchTree } from './tree-watch.js';

export interface Watcher {
  /** Resolves once the watcher is closed (by `close()`, SIGINT or SIGTERM). */
  readonly closed: Promise<void>;
  /** Resolves with the next run's result (the first run's, right after start). */
  nextRun(): Promise<Generation>;
  close(): void;
}

/** An editor's save is a few events within a millisecond or two (a write, or a write and a rename). */
const SETTLE_MS = 25;
const SOURCE = /\.(c|m)?tsx?$|\.json$/;

export function watchAndGenerate(config: GenConfig, io: CliIo, options: { signals?: boolean } = {}): Watcher {
  let watchers: TreeWatcher[] = [];
  let watching = '';
  let isClosed = false;
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let waiting: ((generation: Generation) => void)[] = [];
  let closeWatcher!: () => void;
  const closed = new Promise<void>((resolve) => {
    closeWatcher = resolve;
  });
  const ignored = new Set([config.out, config.registry, config.record || '', config.cache || '']);
  const stamp = () => `[${new Date().toLocaleTimeString()}]`;
  const told = new Set<string>();

  const kept = new KeptProject(config, (watched) => startWatching(watched));

  const run = async (reason: string) => {
    if (isClosed) return;
    io.stdout(`${stamp()} ${reason}\n\n`);
    try {
      const batch = new Set(changed);
      changed.clear();
      const generation = await kept.regenerate(batch);
      report(generation);
    } catch (error) {
      io.stderr(`sidepunch-gen: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };

  const report = (generation: Generation) => {
    const timer = phaseTimer();
    if (generation.diagnostics.length > 0) {
      io.stdout(formatDiagnostics(generation.diagnostics, { cwd: io.cwd, color: io.color, summary: false }));
    } else {
      for (const note of generation.notes ?? []) {
        if (!told.has(note)) io.stdout(`sidepunch-gen: ${note}\n\n`);
        told.add(note);
      }
      writeGeneration(generation);
      timer.mark('write');
    }
    const count = generation.diagnostics.length;
    io.stdout(`${stamp()} Found ${count} error${count === 1 ? '' : 's'}. Watching for file changes.\n\n`);
    // The outputs are written: the cache's record, for a later run's shortcut, is after the line.
    if (count === 0 && generation.inputs) {
      recordRun(config, { ...generation.inputs, outputs: generation.outputs.map((output) => output.path) });
      timer.mark('record');
    }
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

  const onFile = (file: string) => {
    if (ignored.has(file) || file.includes(`${path.sep}node_modules${path.sep}`) || !SOURCE.test(file))
      return;
    changed.add(file);
    schedule();
  };

  /** A config file may be a package's package.json, under node_modules. */
  const onConfig = (file: string) => {
    changed.add(file);
    schedule();
  };

  /** (Re)starts the file watchers when what to watch changed. */
  const startWatching = (project: Watched) => {
    const signature = JSON.stringify([project.configFiles, project.wildcardDirectories]);
    if (signature === watching) return;
    watching = signature;
    for (const watcher of watchers) watcher.close();
    watchers = [];
    for (const [dir, recursive] of Object.entries(project.wildcardDirectories)) {
      if (existsSync(dir)) watchers.push(watchTree(dir, recursive, onFile));
    }
    // A config file is watched through its directory, which sees a save that renames a new file over it.
    for (const file of project.configFiles) {
      const config = path.resolve(file);
      if (existsSync(config)) {
        watchers.push(
          watchTree(path.dirname(config), false, (changed) => changed === config && onConfig(config)),
        );
      }
    }
  };

  const close = () => {
    isClosed = true;
    void kept.dispose();
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
