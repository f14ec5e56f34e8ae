/**
 * Per-file results kept between runs, so a run re-analyzes only what an edit can have changed:
 *  1. a run records, for every project file, its links (file-graph.ts) and the models of its workers, each with
 *     the named shapes its arguments reach;
 *  2. a later run's stale files are the changed and added ones, every file whose imports (followed
 *     transitively) reach a changed or removed file, and every file one of whose imports now resolves elsewhere;
 *  3. only the stale files are analyzed; their workers join the reused ones, sorted as a full analysis sorts
 *     them, and the named shapes are merged in the order a full analysis would have added them.
 * What makes reuse unsafe falls back to a full analysis: a global file changed (a script, `declare global`,
 * `declare module`), a name shared by a reused and a re-analyzed worker (the duplicate's diagnostics need both),
 * or two different shapes under one name.
 */

import { compareText } from './compare-text.js';
import type { FileLinks } from './file-graph.js';
import { directDependencies } from './file-graph.js';
import type { WorkerModel } from './model.js';
import type { Shape, ShapeTable } from './shape.js';

export interface WorkerRecord {
  readonly model: WorkerModel;
  /** The named shapes its arguments reach, in the order the table gained them. */
  readonly shapes: ShapeTable;
}

export interface FileRecord extends FileLinks {
  readonly workers: readonly WorkerRecord[];
}

export interface ReuseState {
  /** The project's own source files (no declaration files, nothing from node_modules). */
  readonly files: Readonly<Record<string, FileRecord>>;
  /** Every global file of the program, the project's and its packages' (roots of a partial program). */
  readonly globals: readonly string[];
  /**
   * The modules that declared periodic entries (roots of a partial program too: their names are checked across
   * all of them, and the registry imports each).
   */
  readonly periodic?: readonly string[];
}

/** The files whose results cannot be reused: see the header, step 2. */
export function staleFiles(
  previous: ReuseState,
  changes: {
    readonly changed: Iterable<string>;
    readonly added: Iterable<string>;
    /** Whether an import of a reused file now resolves to another file (checked only when files were added). */
    readonly resolvesElsewhere?: (file: string, record: FileRecord) => boolean;
  },
): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const [file, record] of Object.entries(previous.files)) {
    for (const dependency of directDependencies(record)) {
      const list = dependents.get(dependency);
      if (list) list.push(file);
      else dependents.set(dependency, [file]);
    }
  }
  const stale = new Set<string>();
  const queue: string[] = [];
  const mark = (file: string) => {
    if (stale.has(file)) return;
    stale.add(file);
    queue.push(file);
  };
  for (const file of changes.changed) mark(file);
  for (const file of changes.added) mark(file);
  if (changes.resolvesElsewhere) {
    for (const [file, record] of Object.entries(previous.files)) {
      if (!stale.has(file) && changes.resolvesElsewhere(file, record)) mark(file);
    }
  }
  while (queue.length > 0) {
    for (const dependent of dependents.get(queue.pop()!) ?? []) mark(dependent);
  }
  return stale;
}

/** The named shapes a worker's arguments reach, in the table's order. */
export function shapesReached(args: Shape, table: ShapeTable): ShapeTable {
  const reached = new Set<string>();
  const children = (shape: Shape): readonly (Shape | undefined)[] => {
    if (typeof shape === 'string' || 'literal' in shape || 'pattern' in shape) return [];
    if ('ref' in shape) {
      if (reached.has(shape.ref)) return [];
      reached.add(shape.ref);
      return [table[shape.ref]];
    }
    if ('array' in shape) return [shape.array];
    if ('record' in shape) return [shape.record];
    if ('union' in shape) return shape.union;
    if ('tuple' in shape) return [...shape.tuple, shape.rest];
    return [...Object.values(shape.object), shape.index];
  };
  const visit = (shape: Shape | undefined): void => {
    if (shape !== undefined) for (const child of children(shape)) visit(child);
  };
  visit(args);
  return Object.fromEntries(Object.entries(table).filter(([name]) => reached.has(name)));
}

export type Merged =
  | { readonly workers: readonly WorkerModel[]; readonly shapes: ShapeTable }
  | { readonly conflict: string };

/** Reused and re-analyzed workers as one analysis: sorted by name, shapes in a full analysis's order. */
export function mergeWorkers(records: readonly WorkerRecord[]): Merged {
  const byName = new Map<string, WorkerRecord>();
  for (const record of records) {
    if (byName.has(record.model.className))
      return { conflict: `two workers named ${record.model.className}` };
    byName.set(record.model.className, record);
  }
  const sorted = [...byName.values()].sort((a, b) => compareText(a.model.className, b.model.className));
  const shapes: Record<string, Shape> = {};
  for (const { shapes: own } of sorted) {
    for (const [name, shape] of Object.entries(own)) {
      if (!(name in shapes)) shapes[name] = shape;
      else if (JSON.stringify(shapes[name]) !== JSON.stringify(shape)) {
        return { conflict: `two shapes named ${name}` };
      }
    }
  }
  return { workers: sorted.map((record) => record.model), shapes };
}

/** The project files a run reaches: its root files and, transitively, the project files they import. */
export function reachableFiles(
  roots: Iterable<string>,
  files: Readonly<Record<string, FileRecord>>,
): string[] {
  const seen = new Set<string>();
  const queue = [...roots].filter((file) => file in files);
  for (const file of queue) seen.add(file);
  while (queue.length > 0) {
    for (const dependency of directDependencies(files[queue.pop()!]!)) {
      if (dependency in files && !seen.has(dependency)) {
        seen.add(dependency);
        queue.push(dependency);
      }
    }
  }
  return [...seen];
}
