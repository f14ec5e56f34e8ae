/**
 * The package.json files that decide how a program's imports resolve: the nearest one above each file the program
 * read, whose "imports", "exports", "types" and "type" fields tsc followed to reach it. The cache records them as
 * inputs, and `--watch` and the build daemon reload on a change to one, as on a tsconfig change.
 */
import path from 'node:path';
import { findUp } from './find-up.js';
import type { LoadedProject } from './project.js';

export function resolutionPackageFiles(files: readonly string[]): string[] {
  const byDir = new Map<string, string | undefined>();
  const found = new Set<string>();
  for (const file of files) {
    const dir = path.dirname(file);
    if (!byDir.has(dir)) byDir.set(dir, findUp(dir, 'package.json'));
    const packageJson = byDir.get(dir);
    if (packageJson) found.add(packageJson);
  }
  return [...found].sort();
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
