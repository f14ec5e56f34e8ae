/**
 * The registry's path must be sidepunch-gen's alone. A project file that tsc compiles onto it (a hand-written
 * `src/registry.ts` with `outDir: "dist"`) and the bundle overwrite each other, whichever is built last, without
 * a word. Without `rootDir`, TypeScript 6 lays the outputs out from the tsconfig's directory and TypeScript 5 from
 * the sources' common directory: both layouts are checked, since the project's own tsc may be either.
 */
import path from 'node:path';
import { type Project, ts } from 'ts-morph';
import { Code } from './codes.js';
import { type Diagnostic, locationAt } from './diagnostic.js';
import { relativePath } from './format-diagnostics.js';

export function registryCollisions(
  project: Project,
  registry: string,
  cwd: string,
  /** The project's source files when the program holds only some of them (a run that reuses results). */
  allFiles?: readonly string[],
): Diagnostic[] {
  const program = project.getProgram().compilerObject;
  const options = program.getCompilerOptions();
  if (options.noEmit || options.emitDeclarationOnly) return [];
  const inProgram = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file));
  const sources = allFiles
    ? allFiles.map((file) => program.getSourceFile(file) ?? readSourceFile(file))
    : inProgram;
  const fileNames = sources.map((file) => file.fileName);
  const layouts = options.rootDir
    ? [options]
    : [options, { ...options, rootDir: commonDirectory(fileNames) }];
  const ignoreCase = !ts.sys.useCaseSensitiveFileNames;
  const target = path.resolve(registry);
  const compilesOnto = (file: ts.SourceFile) =>
    layouts.some((layout) =>
      ts
        .getOutputFileNames({ options: layout, fileNames, errors: [] }, file.fileName, ignoreCase)
        .some((output) => path.resolve(output) === target),
    );
  // With allowJs the registry may itself be a project file, and tsc never writes a file over its own input.
  const colliding = sources.filter((file) => path.resolve(file.fileName) !== target && compilesOnto(file));
  return colliding.map((file) => ({
    ...locationAt(file, 0, 1),
    code: `SP${Code.RegistryOverwritten}`,
    message:
      `tsc compiles this file to ${relativePath(target, cwd)}, where sidepunch-gen writes the registry: ` +
      'whichever is built last overwrites the other. Rename the file, or give the registry another path ' +
      '(--registry, or "registry" in the "sidepunch" field of package.json).',
    related: [],
  }));
}

/** A project file the program did not load, read for its name and, if it collides, its first line. */
function readSourceFile(file: string): ts.SourceFile {
  return ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.Latest);
}

/** The deepest directory holding every file, as TypeScript 5 computes the default rootDir. */
export function commonDirectory(files: readonly string[]): string {
  const [first, ...rest] = files.map((file) => path.dirname(path.resolve(file)).split(path.sep));
  if (!first) return '.';
  let length = first.length;
  for (const parts of rest) {
    length = Math.min(length, parts.length);
    while (length > 0 && parts.slice(0, length).join(path.sep) !== first.slice(0, length).join(path.sep)) {
      length--;
    }
  }
  return first.slice(0, length).join(path.sep) || path.sep;
}
