/**
 * A project kept loaded between generations, for `--watch` (watch.ts) and the build daemon (daemon-server.ts):
 *  1. the first run, or one after a config file or a package.json that decides how an import resolves changed,
 *     loads the whole project; otherwise the changed files (edited, added, removed) are refreshed in place, and
 *     TypeScript reuses the other files' syntax trees and bindings;
 *  2. only the files an edit can affect are analyzed again (reuse-analysis.ts), from the last successful run's
 *     per-file results (or, right after a load, from a cache record's when its files still hold);
 *  3. one esbuild context rebuilds the registry.
 * The caller says what changed; writing the outputs is its decision.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { RegistryBundler } from './bundle.js';
import type { PreviousRun } from './cache.js';
import type { GenConfig } from './config.js';
import { type Generation, generate } from './generate.js';
import { ModuleTreeBuilder } from './module-tree.js';
import { resolutionPackageFiles, sourceFiles } from './package-files.js';
import { phaseTimer } from './phase-timer.js';
import { type LoadedProject, loadProject } from './project.js';
import type { ReuseState } from './reuse-analysis.js';

/**
 * What a run depends on besides the program's source files: the config files (the tsconfigs, and the package.json
 * files that decide how imports resolve) and the directories the tsconfig globs.
 */
export type Watched = Pick<LoadedProject, 'configFiles' | 'wildcardDirectories'>;

export class KeptProject {
  private loaded: LoadedProject | undefined;
  /** The last successful run's per-file results, and every file changed since that run. */
  private reuse: ReuseState | undefined;
  private readonly sinceReuse = new Set<string>();
  private readonly bundler = new RegistryBundler();
  private modules = new ModuleTreeBuilder();
  /** The files whose change reloads the project: the last program's config files. */
  private reloadOn: ReadonlySet<string> = new Set();

  /** `onLoad`: told what to watch after each (re)load or refresh, before the generation. */
  constructor(
    private readonly config: GenConfig,
    private readonly onLoad: (watched: Watched) => void = () => {},
  ) {}

  /** The loaded project, once a run loaded it without errors. */
  get project(): LoadedProject | undefined {
    return this.loaded;
  }

  /**
   * Regenerates after `changed` files. `previous`, a cache record's results, seeds the reuse right after a load
   * when every file the new program read that the record did not is a project source file (an added one).
   */
  async regenerate(
    changed: ReadonlySet<string>,
    previous?: () => PreviousRun | undefined,
    acceptBreak: readonly string[] = [],
  ): Promise<Generation> {
    const timer = phaseTimer();
    if (!this.loaded || [...changed].some((file) => this.reloadOn.has(file))) {
      this.reuse = undefined;
      this.sinceReuse.clear();
      // A changed config file can change how any import resolves: the modules are all built again.
      this.modules = new ModuleTreeBuilder();
      const fresh = loadProject(this.config.project);
      if ('diagnostics' in fresh) {
        this.loaded = undefined;
        this.onLoad({ configFiles: [this.config.project], wildcardDirectories: {} });
        return { diagnostics: fresh.diagnostics, outputs: [], workers: 0 };
      }
      this.loaded = fresh;
      this.watch(fresh);
      const seed = previous?.();
      if (seed && onlySourcesAdded(fresh, seed)) {
        this.reuse = seed.reuse;
        for (const file of seed.changed) this.sinceReuse.add(file);
      }
    } else {
      refresh(this.loaded, changed, this.config.project);
      for (const file of changed) this.sinceReuse.add(file);
      // An edit can import a package the program did not read before.
      this.watch(this.loaded);
    }
    timer.mark('refresh the project');
    const generation = await generate(this.config, {
      loaded: this.loaded,
      bundler: this.bundler,
      modules: this.modules,
      reuse: this.reuse ? { previous: this.reuse, changed: new Set(this.sinceReuse) } : undefined,
      acceptBreak,
    });
    if (generation.diagnostics.length === 0) {
      this.reuse = generation.reuse;
      this.sinceReuse.clear();
    }
    return generation;
  }

  dispose(): Promise<void> {
    return this.bundler.dispose();
  }

  /** A change to a config file reloads the project (it can change how any import resolves). */
  private watch(loaded: LoadedProject): void {
    const configFiles = [...loaded.configFiles, ...resolutionPackageFiles(sourceFiles(loaded))];
    this.reloadOn = new Set(configFiles);
    this.onLoad({ configFiles, wildcardDirectories: loaded.wildcardDirectories });
  }
}

/**
 * Whether a cache record's results hold for a freshly loaded program: every file it reads that the record did
 * not (a new declaration file, a package) could change any type, unless it is a project source file, which
 * the analysis counts as added.
 */
function onlySourcesAdded(loaded: LoadedProject, previous: PreviousRun): boolean {
  const recorded = new Set(previous.files);
  const program = loaded.project.getProgram().compilerObject;
  return program
    .getSourceFiles()
    .every(
      (sourceFile) =>
        program.isSourceFileDefaultLibrary(sourceFile) ||
        recorded.has(sourceFile.fileName) ||
        (!sourceFile.isDeclarationFile && !sourceFile.fileName.includes('/node_modules/')),
    );
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
