/**
 * The package.json files that decide how a program's imports resolve: those above each file the program read, up
 * to its package's root (a folder right inside `node_modules`, or its scope), or to the filesystem's root for the
 * project's own files. tsc read their "imports", "exports", "types" and "type" fields to reach the file, and a
 * nested one (`sub/package.json` with only `"type"`) does not stop the root's "exports" from mattering. The cache
 * records them as inputs, and `--watch` and the build daemon reload on a change to one, as on a tsconfig change.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LoadedProject } from './project.js';

export function resolutionPackageFiles(files: readonly string[]): string[] {
  const seenDirs = new Set<string>();
  const found = new Set<string>();
  for (const file of files) {
    for (let dir = path.dirname(file); !seenDirs.has(dir); dir = path.dirname(dir)) {
      seenDirs.add(dir);
      const candidate = path.join(dir, 'package.json');
      if (existsSync(candidate)) found.add(candidate);
      if (isPackageRoot(dir) || path.dirname(dir) === dir) break;
    }
  }
  return [...found].sort();
}

/** `node_modules/<name>` or `node_modules/@scope/<name>`. */
function isPackageRoot(dir: string): boolean {
  const parent = path.dirname(dir);
  if (path.basename(parent) === 'node_modules') return true;
  return path.basename(parent).startsWith('@') && path.basename(path.dirname(parent)) === 'node_modules';
}

/** Every file the program read: its source files, except TypeScript's own lib files, and their package.json files. */
export function programFiles(loaded: LoadedProject): string[] {
  const sources = sourceFiles(loaded);
  return [...sources, ...resolutionPackageFiles(sources)];
}

/** The program's source files, except TypeScript's own lib files. */
export function sourceFiles(loaded: LoadedProject): string[] {
  const program = loaded.project.getProgram().compilerObject;
  return program
    .getSourceFiles()
    .filter((sourceFile) => !program.isSourceFileDefaultLibrary(sourceFile))
    .map((sourceFile) => sourceFile.fileName);
}
