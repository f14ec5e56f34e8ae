/**
 * The compiled registry mode: the registry imports the app's own compiled modules (tsc's output) instead of
 * bundling their sources, so a worker's `import.meta.url` and `__dirname` are its own compiled file's.
 *  1. where tsc writes each worker (and the server module), as TypeScript itself computes it (outDir, rootDir,
 *     `.mts` → `.mjs`, …); without `rootDir`, TypeScript 6 lays the outputs out from the tsconfig's directory and
 *     TypeScript 5 from the sources' common directory, so where the two differ the project must say (`rootDir`);
 *  2. the specifier the registry imports each by, relative to the registry file;
 *  3. a tsconfig that writes no JavaScript, or whose layout is ambiguous, is one diagnostic, SP3003.
 */
import path from 'node:path';
import { type Project, ts } from 'ts-morph';
import { Code } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { commonDirectory } from './registry-collision.js';

/** By source file: `./workers/report.js` for src/workers/report.ts when tsc writes it beside dist/registry.js. */
export type CompiledSpecifiers =
  | { readonly specifiers: ReadonlyMap<string, string> }
  | { readonly problem: Diagnostic };

export function compiledSpecifiers(
  project: Project,
  tsconfig: string,
  registry: string,
  files: readonly string[],
  /** The project's source files when the program holds only some of them (a run that reuses results). */
  allFiles?: readonly string[],
): CompiledSpecifiers {
  const program = project.getProgram().compilerObject;
  const options = program.getCompilerOptions();
  if (options.noEmit || options.emitDeclarationOnly) {
    return problem(
      `${path.basename(tsconfig)} sets ${options.noEmit ? 'noEmit' : 'emitDeclarationOnly'}. Point --project at ` +
        'the tsconfig your build compiles with, or use the bundle mode.',
    );
  }
  const fileNames: string[] = allFiles
    ? [...allFiles]
    : program
        .getSourceFiles()
        .filter((file) => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file))
        .map((file) => file.fileName);
  const layouts = options.rootDir
    ? [options]
    : [options, { ...options, rootDir: commonDirectory(fileNames) }];
  const ignoreCase = !ts.sys.useCaseSensitiveFileNames;
  const specifiers = new Map<string, string>();
  for (const file of files) {
    const compiled = layouts.map((layout) =>
      ts
        .getOutputFileNames({ options: layout, fileNames, errors: [] }, file, ignoreCase)
        .find((output) => /\.[cm]?jsx?$/.test(output)),
    );
    if (new Set(compiled).size > 1) {
      return problem(
        `${path.basename(tsconfig)} has no rootDir, and TypeScript 5 and 6 write ${path.basename(file)} to ` +
          `different places (${compiled.map((output) => path.relative(path.dirname(tsconfig), output!)).join(' or ')}). ` +
          'Set "rootDir" in its compilerOptions.',
      );
    }
    const relative = path
      .relative(path.dirname(registry), path.resolve(compiled[0] ?? file))
      .split(path.sep)
      .join('/');
    specifiers.set(file, relative.startsWith('.') ? relative : `./${relative}`);
  }
  return { specifiers };
}

function problem(why: string): CompiledSpecifiers {
  return {
    problem: {
      file: '',
      line: 0,
      column: 0,
      length: 0,
      lineText: '',
      code: `SP${Code.CompiledModulesUnknown}`,
      message: `the compiled registry mode imports the JavaScript tsc writes for each worker, but ${why}`,
      related: [],
    },
  };
}
