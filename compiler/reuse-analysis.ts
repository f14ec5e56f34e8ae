/**
 * The analysis with reuse (reuse.ts) over a loaded program:
 *  1. without an earlier run's results, analyze every file and record each file's links and workers;
 *  2. with them, find the stale files (changed, added, importing a changed or removed file, or resolving an
 *     import elsewhere now), analyze only those, and merge their workers with the reused ones;
 *  3. anything reuse cannot answer exactly (a global file changed, a name or a shape name shared between a
 *     reused and a re-analyzed worker) runs the full analysis instead.
 * Shapes are put in canonical order first (canonical-shape.ts), so no worker's result depends on the others. The
 * records keep the analyses' own names of recursive shapes; what a run returns has the final ones (shape-names.ts).
 */
import { type Project, ts } from 'ts-morph';
import { type Analysis, analyzeProject } from './analyze.js';
import { canonicalArgs, canonicalTable } from './canonical-shape.js';
import { projectSourceFiles } from './discover.js';
import { canReadLinks, isGlobal, linksOf } from './file-graph.js';
import {
  type FileRecord,
  mergeWorkers,
  type ReuseState,
  reachableFiles,
  shapesReached,
  staleFiles,
  type WorkerRecord,
} from './reuse.js';
import { nameShapes } from './shape-names.js';

export type { ReuseState } from './reuse.js';

export interface ReusingAnalysis extends Analysis {
  /** The per-file results for the next run (when there are no diagnostics and the program allows reuse). */
  readonly reuse?: ReuseState;
  /** How many project files were analyzed. */
  readonly analyzedFiles: number;
  /** A partial program could not answer exactly: the caller must load the whole project and analyze it all. */
  readonly needsWholeProgram?: boolean;
}

export type ReuseInput =
  /** Over the whole program (watch mode): the files written since the previous run (edited, added, removed). */
  | { readonly previous: ReuseState; readonly changed: ReadonlySet<string> }
  /**
   * Over a partial program (the CLI: the stale files, the files they import and the global files), with the
   * stale files already known, and the files the tsconfig includes (a file outside them counts while one of them
   * imports it, transitively).
   */
  | { readonly previous: ReuseState; readonly stale: ReadonlySet<string>; readonly roots: readonly string[] };

export function analyzeReusing(
  project: Project,
  options: { cwd: string; skipFiles: ReadonlySet<string>; reuse?: ReuseInput },
): ReusingAnalysis {
  const program = project.getProgram().compilerObject;
  const own = new Map(
    projectSourceFiles(project, options.skipFiles).map((file) => [
      file.compilerNode.fileName,
      file.compilerNode,
    ]),
  );
  const reuse = options.reuse && canReadLinks(program) ? options.reuse : undefined;
  const stale =
    reuse &&
    ('stale' in reuse ? partialStale(own, reuse.previous, reuse.stale) : staleSet(program, own, reuse));
  if (reuse && stale) {
    const partial = canonical(analyzeProject(project, { ...options, only: stale }));
    const previous = reuse.previous.files;
    if (partial.diagnostics.length > 0) {
      // Exact unless a re-analyzed class shares its name with a reused worker: then both need their diagnostic.
      const reusedNames = new Set(
        Object.entries(previous)
          .filter(([file]) => !stale.has(file))
          .flatMap(([, record]) => record.workers.map((worker) => worker.model.className)),
      );
      const clash = [...stale].some((file) => {
        const sourceFile = own.get(file);
        return sourceFile !== undefined && classNames(sourceFile).some((name) => reusedNames.has(name));
      });
      if (!clash) return { ...partial, analyzedFiles: stale.size };
    } else {
      const merged = mergeStale(program, own, reuse, stale, partial);
      if (merged) return named(merged);
    }
  }
  if (options.reuse && 'stale' in options.reuse) {
    return { workers: [], shapes: {}, diagnostics: [], analyzedFiles: 0, needsWholeProgram: true };
  }
  const analysis = canonical(analyzeProject(project, options));
  if (analysis.diagnostics.length > 0 || !canReadLinks(program)) {
    return { ...named(analysis), analyzedFiles: own.size };
  }
  const { byFile } = recordsOf(analysis);
  const files: Record<string, FileRecord> = {};
  for (const [file, sourceFile] of own) {
    files[file] = { ...linksOf(program, sourceFile), workers: byFile.get(file) ?? [] };
  }
  return { ...named(analysis), reuse: { files, globals: globalFiles(program) }, analyzedFiles: own.size };
}

/**
 * In a partial program: the stale files and the project files it reached that no run has analyzed yet, or
 * undefined when one of them is global.
 */
function partialStale(
  own: ReadonlyMap<string, ts.SourceFile>,
  previous: ReuseState,
  stale: ReadonlySet<string>,
): ReadonlySet<string> | undefined {
  const all = new Set([...stale].filter((file) => own.has(file)));
  for (const file of own.keys()) if (!(file in previous.files)) all.add(file);
  for (const file of all) if (isGlobal(own.get(file)!)) return undefined;
  return all;
}

/** The stale project files, or undefined when only a full analysis is exact. */
function staleSet(
  program: ts.Program,
  own: ReadonlyMap<string, ts.SourceFile>,
  { previous, changed }: { previous: ReuseState; changed: ReadonlySet<string> },
): Set<string> | undefined {
  const added = [...own.keys()].filter((file) => !(file in previous.files));
  const removed = Object.keys(previous.files).filter((file) => !own.has(file));
  for (const file of [...changed, ...removed]) {
    const before = previous.files[file];
    if (before?.global) return undefined;
    if (!before && !own.has(file) && program.getSourceFile(file)) return undefined; // a declaration file
  }
  const touched = [...changed].filter((file) => own.has(file));
  for (const file of [...touched, ...added]) {
    if (isGlobal(own.get(file)!)) return undefined;
  }
  const moved = added.length > 0 || removed.length > 0;
  return staleFiles(previous, {
    changed: [...touched, ...removed],
    added,
    resolvesElsewhere: moved
      ? (file, record) => {
          const sourceFile = own.get(file);
          if (!sourceFile) return false;
          return JSON.stringify(linksOf(program, sourceFile).imports) !== JSON.stringify(record.imports);
        }
      : undefined,
  });
}

/** The re-analyzed files' results merged with the reused ones, or undefined on a conflict (see reuse.ts). */
function mergeStale(
  program: ts.Program,
  own: ReadonlyMap<string, ts.SourceFile>,
  reuse: ReuseInput,
  stale: ReadonlySet<string>,
  partial: Analysis,
): ReusingAnalysis | undefined {
  const previous = reuse.previous.files;
  const fresh = recordsOf(partial);
  let files: Record<string, FileRecord> = {};
  const current = 'roots' in reuse ? Object.keys(previous).concat([...stale]) : [...own.keys()];
  for (const file of current) {
    const sourceFile = own.get(file);
    if (stale.has(file)) {
      if (sourceFile)
        files[file] = { ...linksOf(program, sourceFile), workers: fresh.byFile.get(file) ?? [] };
    } else if (previous[file]) files[file] = previous[file];
  }
  if ('roots' in reuse) {
    const reachable = reachableFiles(reuse.roots, files);
    files = Object.fromEntries(reachable.sort().map((file) => [file, files[file]!]));
  }
  const merged = mergeWorkers(Object.values(files).flatMap((record) => record.workers));
  if ('conflict' in merged) return undefined;
  return {
    workers: merged.workers,
    shapes: merged.shapes,
    diagnostics: [],
    // A partial program knows only some of the global files: keep the recorded ones too.
    reuse: {
      files,
      globals:
        'stale' in reuse
          ? [...new Set([...reuse.previous.globals, ...globalFiles(program)])]
          : globalFiles(program),
    },
    analyzedFiles: stale.size,
  };
}

/** Every named class in a file, nested ones included: a superset of its workers' names. */
function classNames(sourceFile: ts.SourceFile): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && node.name) names.push(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return names;
}

/** The analysis with its shapes in canonical order (canonical-shape.ts). */
function canonical(analysis: Analysis): Analysis {
  if (analysis.diagnostics.length > 0) return analysis;
  return {
    ...analysis,
    workers: analysis.workers.map((model) => ({ ...model, args: canonicalArgs(model.args) })),
    shapes: canonicalTable(analysis.shapes),
  };
}

/** The analysis with the final names of its recursive shapes. */
function named<T extends Analysis>(analysis: T): T {
  const { args, shapes } = nameShapes(
    analysis.workers.map((model) => model.args),
    analysis.shapes,
  );
  return { ...analysis, workers: analysis.workers.map((model, i) => ({ ...model, args: args[i]! })), shapes };
}

function recordsOf(analysis: Analysis): { flat: WorkerRecord[]; byFile: Map<string, WorkerRecord[]> } {
  const byFile = new Map<string, WorkerRecord[]>();
  const flat = analysis.workers.map((model) => {
    const record = { model, shapes: shapesReached(model.args, analysis.shapes) };
    byFile.set(model.file, [...(byFile.get(model.file) ?? []), record]);
    return record;
  });
  return { flat, byFile };
}

function globalFiles(program: ts.Program): string[] {
  return program
    .getSourceFiles()
    .filter((sourceFile) => !program.isSourceFileDefaultLibrary(sourceFile) && isGlobal(sourceFile))
    .map((sourceFile) => sourceFile.fileName);
}
