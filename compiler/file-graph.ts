/**
 * What each file of a program depends on, for reusing per-file results between runs (reuse.ts):
 *  1. a file's imports as the program resolved them (import, export, `import()`, `import("…")` types,
 *     `require`), each with its resolution mode, so a later run can tell whether an added file changes one;
 *  2. its `/// <reference path>` files;
 *  3. whether it is global: a script (no import or export), or one that declares `declare global` or
 *     `declare module "…"`, whose declarations reach every file without an import.
 */
import path from 'node:path';
import { ts } from 'ts-morph';

/** A module specifier, the file it resolved to ('' when it did not) and its resolution mode. */
export type ResolvedImport = readonly [specifier: string, resolved: string, mode: number];

export interface FileLinks {
  readonly imports: readonly ResolvedImport[];
  readonly references: readonly string[];
  readonly global: boolean;
}

type ForEachResolvedModule = (
  callback: (
    resolution: ts.ResolvedModuleWithFailedLookupLocations,
    name: string,
    mode: ts.ResolutionMode,
  ) => void,
  file: ts.SourceFile,
) => void;

/** Whether this TypeScript exposes the program's resolutions (an internal API that reuse needs). */
export function canReadLinks(program: ts.Program): boolean {
  return typeof (program as { forEachResolvedModule?: unknown }).forEachResolvedModule === 'function';
}

export function linksOf(program: ts.Program, sourceFile: ts.SourceFile): FileLinks {
  const imports: ResolvedImport[] = [];
  const forEach = (program as unknown as { forEachResolvedModule: ForEachResolvedModule })
    .forEachResolvedModule;
  forEach.call(
    program,
    (resolution, name, mode) => {
      imports.push([name, resolution.resolvedModule?.resolvedFileName ?? '', mode ?? 0]);
    },
    sourceFile,
  );
  imports.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[2] - b[2]));
  const references = sourceFile.referencedFiles.map((reference) =>
    path.resolve(path.dirname(sourceFile.fileName), reference.fileName),
  );
  return { imports, references, global: isGlobal(sourceFile) };
}

export function isGlobal(sourceFile: ts.SourceFile): boolean {
  if (!ts.isExternalModule(sourceFile)) return true;
  return sourceFile.statements.some(
    (statement) =>
      ts.isModuleDeclaration(statement) &&
      ((statement.flags & ts.NodeFlags.GlobalAugmentation) !== 0 || ts.isStringLiteral(statement.name)),
  );
}

/** The files a file depends on directly: what its imports resolved to, and its referenced files. */
export function directDependencies(links: FileLinks): string[] {
  return [...links.imports.map(([, resolved]) => resolved).filter(Boolean), ...links.references];
}
