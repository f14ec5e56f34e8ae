/**
 * One generation, in memory: load the project (or refresh a watcher's), analyze it, check that tsc compiles
 * nothing onto the registry's path, check each worker's arguments against the record of their shapes (compat/:
 * sidepunch.shapes.json), generate the stubs and the registry entry, bundle the entry (in the compiled
 * mode, an entry that imports tsc's output instead of the sources). Returns the outputs and every diagnostic;
 * writing is the caller's decision, so a run with errors leaves the previous files untouched.
 * Given the per-file results of an earlier run and the files that went stale since (reuse.ts), only those are
 * analyzed; the result is the one a full analysis gives.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { type BundleRequest, type BundleResult, bundleRegistry, type RegistryBundler } from './bundle.js';
import type { PreviousRun, RunInputs } from './cache.js';
import { checkRecord } from './compat/check-record.js';
import { generationsField, oldArgsTypes } from './compat/emit-generations.js';
import { compiledSpecifiers } from './compiled-modules.js';
import { DEFAULTS, type GenConfig } from './config.js';
import type { Diagnostic } from './diagnostic.js';
import {
  COMPILED_PREFIX,
  emitRegistryEntry,
  sourceSpecifier,
  VALIDATOR_FILE,
  VALIDATOR_MODULE,
} from './emit-registry.js';
import { emitStubs, STUBS_HEADER } from './emit-stubs.js';
import { specifierStyle } from './import-specifier.js';
import { moduleLayoutHazard } from './module-hazard.js';
import { ModuleLayout, modulesDirOf } from './module-layout.js';
import { ModuleTreeBuilder } from './module-tree.js';
import { type Output, readIfExists } from './outputs.js';
import { programFiles } from './package-files.js';
import { loadPartialProject, readSettings } from './partial-project.js';
import { periodicTypeDiagnostics } from './periodic/check-periodic-types.js';
import { findPeriodic } from './periodic/find-periodic.js';
import { phaseTimer } from './phase-timer.js';
import { quote } from './print-literal.js';
import { type LoadedProject, loadProject, ProjectError } from './project.js';
import { registryCollisions } from './registry-collision.js';
import { type FileRecord, staleFiles } from './reuse.js';
import { analyzeReusing, type ReuseState, type ReusingAnalysis } from './reuse-analysis.js';
import type { ModulesTree } from './stale-modules.js';

export interface Generation {
  readonly diagnostics: readonly Diagnostic[];
  readonly outputs: readonly Output[];
  /**
   * The registry entry before bundling, importing the sources (the esbuild plugin serves it; the golden tests
   * compare it), whatever the registry mode.
   */
  readonly registryEntry?: string;
  readonly workers: number;
  /** What the run read, for the cache and the watcher (without the outputs, known only once written). */
  readonly inputs?: Omit<RunInputs, 'outputs'>;
  /** Per-file results, for the next run to reuse (a successful run's only). */
  readonly reuse?: ReuseState;
  /** How many project files were analyzed (all of them without reuse). */
  readonly analyzedFiles?: number;
  /** Lines for the user that are not errors (why the modules layout bundled instead). */
  readonly notes?: readonly string[];
  /**
   * The modules layout's tree and the built files the registry imports (none in another layout): a writer deletes
   * the rest (stale-modules.ts). Absent when no registry was generated.
   */
  readonly modulesTree?: ModulesTree;
}

export interface GenerateOptions {
  /** A project loaded by an earlier run (watch mode) to reuse instead of loading the tsconfig again. */
  readonly loaded?: LoadedProject;
  /** Stop after the analysis and the generated sources: no esbuild (the golden tests). */
  readonly skipBundle?: boolean;
  /** An earlier successful run's per-file results, and the files changed since (watch mode). */
  readonly reuse?: { readonly previous: ReuseState; readonly changed: ReadonlySet<string> };
  /** An esbuild context kept across runs (watch mode). */
  readonly bundler?: RegistryBundler;
  /** The modules layout's builder kept across runs (watch mode, the daemon). */
  readonly modules?: ModuleTreeBuilder;
  /** The cache's record of an earlier run, to reuse its per-file results (the CLI). */
  readonly previousRun?: PreviousRun;
  /** Workers whose incompatible argument change is accepted (`--accept-break`): a new generation in the record. */
  readonly acceptBreak?: readonly string[];
}

/** The start of the stubs' header, in every version. */
const GENERATED = STUBS_HEADER.slice(0, STUBS_HEADER.indexOf('.'));

export async function generate(config: GenConfig, options: GenerateOptions = {}): Promise<Generation> {
  // Else esbuild's "Could not resolve" would point into the generated entry, a file the user never sees.
  if (config.server && !existsSync(config.server)) {
    throw new ProjectError(`cannot find the server module ${config.server}`);
  }
  // `--out src/jobs.ts` naming a module of the user's own: never replace a file this tool did not write (the
  // default name is sidepunch-gen's own: an edited copy there is restored, as the cache promises).
  const previousStubs = readIfExists(config.out);
  const defaultOut = path.join(path.dirname(config.project), DEFAULTS.out);
  if (config.out !== defaultOut && previousStubs?.trim() && !previousStubs.startsWith(GENERATED)) {
    throw new ProjectError(
      `refusing to overwrite ${config.out}, which sidepunch-gen did not write (its first line is not ` +
        `"${GENERATED}…"): choose another --out, or delete the file`,
    );
  }
  if (options.previousRun && !options.loaded) {
    const reusing = reusingRun(config, options.previousRun);
    const generation = reusing && (await finish(config, options, reusing));
    if (generation !== undefined && generation !== 'whole program') return generation;
  }
  const timer = phaseTimer();
  const loaded = options.loaded ?? loadProject(config.project);
  if ('diagnostics' in loaded) return { diagnostics: loaded.diagnostics, outputs: [], workers: 0 };
  timer.mark('load the project');
  loaded.project.getProgram().compilerObject.getTypeChecker();
  timer.mark('program and binding');
  const analysis = analyzeReusing(loaded.project, {
    cwd: config.cwd,
    skipFiles: new Set([config.out]),
    reuse: options.reuse,
  });
  timer.mark(`analysis (${analysis.analyzedFiles} files)`);
  const generation = await finish(config, options, { loaded, analysis, readFiles: programFiles(loaded) });
  if (generation === 'whole program')
    throw new Error('the whole program lacks a worker class the analysis found');
  return generation;
}

/** A loaded program and its analysis, and what the run read. */
interface Analyzed {
  readonly loaded: LoadedProject;
  readonly analysis: ReusingAnalysis;
  readonly readFiles: readonly string[];
  /** The project's source files, when the program holds only some of them. */
  readonly allFiles?: readonly string[];
  /** The program holds the stale files and the global ones only (reusingRun). */
  readonly partial?: boolean;
}

/**
 * The CLI's rerun after edits (reuse.ts): a program of the stale files and the global ones only, merged with the
 * recorded results of the rest. Undefined when only the whole program can answer exactly.
 */
function reusingRun(config: GenConfig, previous: PreviousRun): Analyzed | undefined {
  const timer = phaseTimer();
  const settings = readSettings(config.project);
  if (!settings) return undefined;
  const { reuse } = previous;
  const recorded = new Set(previous.files);
  if (settings.fileNames.some((file) => isDeclarationFile(file) && !recorded.has(file))) return undefined;
  const included = settings.fileNames.filter((file) => !isDeclarationFile(file) && file !== config.out);
  const removed = Object.keys(reuse.files).filter((file) => !existsSync(file));
  const added = included.filter((file) => !(file in reuse.files));
  const changed = [...new Set([...previous.changed, ...removed])];
  if (changed.some((file) => reuse.files[file]?.global)) return undefined;
  const stale = staleFiles(reuse, {
    changed,
    added,
    resolvesElsewhere:
      added.length > 0 || removed.length > 0 ? importsMoved(settings.compilerOptions) : undefined,
  });
  for (const file of removed) stale.delete(file);
  timer.mark(`plan (${stale.size} stale files)`);
  const loaded = loadPartialProject(config.project, settings, [
    ...stale,
    ...reuse.globals.filter((file) => existsSync(file)),
    ...(reuse.periodic ?? []).filter((file) => existsSync(file)),
  ]);
  loaded.project.getProgram().compilerObject.getTypeChecker();
  timer.mark('partial program and binding');
  const analysis = analyzeReusing(loaded.project, {
    cwd: config.cwd,
    skipFiles: new Set([config.out]),
    reuse: { previous: reuse, stale, roots: included },
  });
  timer.mark(`analysis (${analysis.analyzedFiles} files)`);
  if (analysis.needsWholeProgram) return undefined;
  const allFiles = analysis.reuse ? Object.keys(analysis.reuse.files) : undefined;
  const kept = new Set(allFiles ?? []);
  const readFiles = [
    ...previous.files.filter((file) => !(file in reuse.files) || kept.has(file)),
    ...programFiles(loaded),
  ];
  return { loaded, analysis, readFiles, allFiles, partial: true };
}

/** Whether one of a recorded file's imports resolves to another file now (a file was added or removed). */
function importsMoved(options: ts.CompilerOptions): (file: string, record: FileRecord) => boolean {
  const cache = ts.createModuleResolutionCache(process.cwd(), (name) => name, options);
  return (file, record) =>
    record.imports.some(
      ([specifier, resolved, mode]) =>
        (ts.resolveModuleName(specifier, file, options, ts.sys, cache, undefined, mode as ts.ResolutionMode)
          .resolvedModule?.resolvedFileName ?? '') !== resolved,
    );
}

function isDeclarationFile(file: string): boolean {
  return /\.d\.[cm]?ts$/.test(file);
}

/**
 * Checks, stubs, registry entry and bundle, from an analysis; 'whole program' when a partial program cannot
 * answer the deploy check (a worker broke whose file it does not hold: the record changed, not the sources).
 */
async function finish(
  config: GenConfig,
  options: GenerateOptions,
  analyzed: Analyzed,
): Promise<Generation | 'whole program'> {
  const { loaded, analysis, allFiles } = analyzed;
  const timer = phaseTimer();
  const projectDir = path.dirname(config.project);
  const periodic = findPeriodic(loaded.project, new Set([config.out]));
  const diagnostics = [
    ...analysis.diagnostics,
    ...periodic.diagnostics,
    ...(options.skipBundle ? [] : registryCollisions(loaded.project, config.registry, config.cwd, allFiles)),
  ];
  if (diagnostics.length > 0) return { diagnostics, outputs: [], workers: analysis.workers.length };
  timer.mark('periodic entries and registry collisions');
  const jobStubs = emitStubs(analysis.workers, config.out, specifierStyle(loaded.compilerOptions));
  const periodicTypes = periodicTypeDiagnostics(loaded.project, periodic.modules, config.out, jobStubs);
  if (periodicTypes.length > 0)
    return { diagnostics: periodicTypes, outputs: [], workers: analysis.workers.length };
  // The deploy check (compat/): a change that old jobs would not fit stops the run here, writing nothing.
  const recorded = config.record
    ? checkRecord({
        project: loaded.project,
        workers: analysis.workers,
        shapes: analysis.shapes,
        file: config.record,
        acceptBreak: options.acceptBreak ?? [],
        partialProgram: analyzed.partial === true,
      })
    : { diagnostics: [] };
  if (recorded.needsWholeProgram) return 'whole program';
  if (recorded.diagnostics.length > 0) {
    return { diagnostics: recorded.diagnostics, outputs: [], workers: analysis.workers.length };
  }
  const { record } = recorded;
  const stubs = jobStubs + (record ? oldArgsTypes(record) : '');
  const entryWith = (specifierOf: (file: string) => string) =>
    emitRegistryEntry(
      analysis.workers,
      analysis.shapes,
      specifierOf,
      config.server,
      periodic.modules,
      record ? generationsField(record) : [],
    );
  // Read by the golden tests and the esbuild plugin; a watcher in the modules layout never needs it.
  let sourceEntry: string | undefined;
  const lazyEntry = {
    get registryEntry(): string {
      sourceEntry ??= entryWith(sourceSpecifier(projectDir));
      return sourceEntry;
    },
  };
  timer.mark('stubs and registry entry');
  const outputs: Output[] = [{ path: config.out, text: stubs }];
  const notes: string[] = [];
  let modulesTree: ModulesTree | undefined;
  if (!options.skipBundle) {
    let entry = lazyEntry.registryEntry;
    // The modules the registry entry imports.
    const entryFiles = [
      ...analysis.workers.map((worker) => worker.file),
      ...(config.server ? [config.server] : []),
      ...periodic.modules,
    ];
    if (config.registryMode === 'compiled') {
      const compiled = compiledSpecifiers(
        loaded.project,
        config.project,
        config.registry,
        entryFiles,
        allFiles,
      );
      if ('problem' in compiled) {
        return {
          diagnostics: [compiled.problem],
          outputs: [],
          workers: analysis.workers.length,
          registryEntry: lazyEntry.registryEntry,
        };
      }
      entry = entryWith((file) => COMPILED_PREFIX + compiled.specifiers.get(file));
    }
    const request = {
      entry,
      projectDir,
      tsconfig: config.project,
      outFile: config.registry,
      format: config.registryFormat,
      stubs: { path: config.out, text: stubs },
    };
    const bundle = await bundleIn(config, options, loaded, request, { entryWith, entryFiles });
    if ('diagnostics' in bundle) {
      return {
        diagnostics: bundle.diagnostics,
        outputs: [],
        workers: analysis.workers.length,
        registryEntry: lazyEntry.registryEntry,
      };
    }
    outputs.push({ path: config.registry, text: bundle.code }, ...(bundle.files ?? []));
    modulesTree = { dir: modulesDirOf(path.resolve(config.registry)), modules: bundle.modules ?? [] };
    if (bundle.note) notes.push(bundle.note);
    timer.mark('bundle');
  }
  // Last, so the line naming the files written starts as it always has.
  if (recorded.output) outputs.push(recorded.output);
  const { outDir, declarationDir } = loaded.compilerOptions;
  return {
    diagnostics: [],
    outputs,
    get registryEntry() {
      return lazyEntry.registryEntry;
    },
    workers: analysis.workers.length,
    inputs: {
      files: [...new Set([...loaded.configFiles, ...analyzed.readFiles])],
      dirs: loaded.wildcardDirectories,
      skipDirs: [outDir, declarationDir].filter((dir): dir is string => dir !== undefined),
      workers: analysis.workers.length,
      reuse: withPeriodic(analysis.reuse, periodic.modules),
    },
    reuse: withPeriodic(analysis.reuse, periodic.modules),
    analyzedFiles: analysis.analyzedFiles,
    ...(notes.length > 0 ? { notes } : {}),
    ...(modulesTree ? { modulesTree } : {}),
  };
}

/** The registry entry's text for a way of naming its modules, and the files it imports. */
interface ModulesEntry {
  readonly entryWith: (specifierOf: (file: string) => string) => string;
  readonly entryFiles: readonly string[];
}

/**
 * The registry in the configured mode: the modules layout when the registry is an ES module and no statement
 * needs a bundle's whole-program view (else the bundle, with a note saying why); the bundle otherwise.
 */
async function bundleIn(
  config: GenConfig,
  options: GenerateOptions,
  loaded: LoadedProject,
  request: BundleRequest,
  entry: ModulesEntry,
): Promise<BundleResult> {
  if (config.registryMode === 'modules') {
    const hazard =
      config.registryFormat === 'cjs'
        ? 'the registry is read as CommonJS (no "type": "module" in its package.json, or a .cjs name)'
        : moduleLayoutHazard(loaded.project.getProgram().compilerObject, request.projectDir);
    if (hazard === undefined) {
      const layout = new ModuleLayout(path.resolve(config.registry), request.projectDir);
      const registry = layout.registry;
      const text = entry
        .entryWith((file) => layout.specifier(registry, layout.outputOf(file)))
        .replace(
          `from ${quote(VALIDATOR_MODULE)};`,
          `from ${quote(layout.specifier(registry, layout.outputOf(VALIDATOR_FILE)))};`,
        );
      return (options.modules ?? new ModuleTreeBuilder()).build(request, layout, text, [
        VALIDATOR_FILE,
        ...entry.entryFiles,
      ]);
    }
    const bundled = options.bundler ? await options.bundler.bundle(request) : await bundleRegistry(request);
    const note = `the registry is bundled, not in the modules layout: ${hazard}`;
    return 'code' in bundled ? { ...bundled, note } : bundled;
  }
  return options.bundler ? options.bundler.bundle(request) : bundleRegistry(request);
}

function withPeriodic(reuse: ReuseState | undefined, modules: readonly string[]): ReuseState | undefined {
  return reuse && { ...reuse, periodic: modules };
}
