/**
 * One generation, in memory: load the project (or refresh a watcher's), analyze it, check that tsc compiles
 * nothing onto the registry's path, generate the stubs and the registry entry, bundle the entry (in the compiled
 * mode, an entry that imports tsc's output instead of the sources). Returns the outputs and every diagnostic;
 * writing is the caller's decision, so a run with errors leaves the previous files untouched.
 */
import path from 'node:path';
import { analyzeProject } from './analyze.js';
import { bundleRegistry } from './bundle.js';
import type { RunInputs } from './cache.js';
import { compiledSpecifiers } from './compiled-modules.js';
import type { GenConfig } from './config.js';
import type { Diagnostic } from './diagnostic.js';
import { COMPILED_PREFIX, emitRegistryEntry, sourceSpecifier } from './emit-registry.js';
import { emitStubs } from './emit-stubs.js';
import { specifierStyle } from './import-specifier.js';
import type { Output } from './outputs.js';
import { periodicTypeDiagnostics } from './periodic/check-periodic-types.js';
import { findPeriodic } from './periodic/find-periodic.js';
import { type LoadedProject, loadProject } from './project.js';
import { registryCollisions } from './registry-collision.js';

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
}

export interface GenerateOptions {
  /** A project loaded by an earlier run (watch mode) to reuse instead of loading the tsconfig again. */
  readonly loaded?: LoadedProject;
  /** Stop after the analysis and the generated sources: no esbuild (the golden tests). */
  readonly skipBundle?: boolean;
}

export async function generate(config: GenConfig, options: GenerateOptions = {}): Promise<Generation> {
  const loaded = options.loaded ?? loadProject(config.project);
  if ('diagnostics' in loaded) return { diagnostics: loaded.diagnostics, outputs: [], workers: 0 };
  const projectDir = path.dirname(config.project);
  const analysis = analyzeProject(loaded.project, { cwd: config.cwd, skipFiles: new Set([config.out]) });
  const periodic = findPeriodic(loaded.project, new Set([config.out]));
  const diagnostics = [
    ...analysis.diagnostics,
    ...periodic.diagnostics,
    ...(options.skipBundle ? [] : registryCollisions(loaded.project, config.registry, config.cwd)),
  ];
  if (diagnostics.length > 0) return { diagnostics, outputs: [], workers: analysis.workers.length };
  const stubs = emitStubs(analysis.workers, config.out, specifierStyle(loaded.compilerOptions));
  const periodicTypes = periodicTypeDiagnostics(loaded.project, periodic.modules, config.out, stubs);
  if (periodicTypes.length > 0)
    return { diagnostics: periodicTypes, outputs: [], workers: analysis.workers.length };
  const registryEntry = emitRegistryEntry(
    analysis.workers,
    analysis.shapes,
    sourceSpecifier(projectDir),
    config.server,
    periodic.modules,
  );
  const outputs: Output[] = [{ path: config.out, text: stubs }];
  if (!options.skipBundle) {
    let entry = registryEntry;
    if (config.registryMode === 'compiled') {
      const files = [
        ...analysis.workers.map((worker) => worker.file),
        ...(config.server ? [config.server] : []),
        ...periodic.modules,
      ];
      const compiled = compiledSpecifiers(loaded.project, config.project, config.registry, files);
      if ('problem' in compiled) {
        return {
          diagnostics: [compiled.problem],
          outputs: [],
          workers: analysis.workers.length,
          registryEntry,
        };
      }
      entry = emitRegistryEntry(
        analysis.workers,
        analysis.shapes,
        (file) => COMPILED_PREFIX + compiled.specifiers.get(file),
        config.server,
        periodic.modules,
      );
    }
    const bundle = await bundleRegistry({
      entry,
      projectDir,
      tsconfig: config.project,
      outFile: config.registry,
      format: config.registryFormat,
      stubs: { path: config.out, text: stubs },
    });
    if ('diagnostics' in bundle) {
      return {
        diagnostics: bundle.diagnostics,
        outputs: [],
        workers: analysis.workers.length,
        registryEntry,
      };
    }
    outputs.push({ path: config.registry, text: bundle.code });
  }
  return {
    diagnostics: [],
    outputs,
    registryEntry,
    workers: analysis.workers.length,
    inputs: { ...inputsOf(loaded), workers: analysis.workers.length },
  };
}

function inputsOf(loaded: LoadedProject): Omit<RunInputs, 'outputs' | 'workers'> {
  const program = loaded.project.getProgram().compilerObject;
  const files = program
    .getSourceFiles()
    .filter((sourceFile) => !program.isSourceFileDefaultLibrary(sourceFile))
    .map((sourceFile) => sourceFile.fileName);
  const { outDir, declarationDir } = loaded.compilerOptions;
  return {
    files: [...loaded.configFiles, ...files],
    dirs: loaded.wildcardDirectories,
    skipDirs: [outDir, declarationDir].filter((dir): dir is string => dir !== undefined),
  };
}
