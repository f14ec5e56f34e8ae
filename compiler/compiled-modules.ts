/**
 * The compiled registry mode: the registry imports the app's own compiled modules (tsc's output) instead of
 * bundling their sources, so a worker's `import.meta.url` and `__dirname` are its own compiled file's.
 *  1. where tsc writes each file, as TypeScript itself computes it (outDir, rootDir, `.mts` → `.mjs`, …);
 *  2. the specifier the registry imports it by, relative to the registry file;
 *  3. a tsconfig that emits no JavaScript has nothing to import: one diagnostic, SP3003.
 */
import path from 'node:path';
import { ts } from 'ts-morph';
import { Code } from './codes.js';
import type { Diagnostic } from './diagnostic.js';

/** `./workers/report.js` for src/workers/report.ts when tsc writes dist/workers/report.js beside dist/registry.js. */
export function compiledSpecifier(
  commandLine: ts.ParsedCommandLine,
  registryFile: string,
  sourceFile: string,
): string {
  const outputs = ts.getOutputFileNames(commandLine, sourceFile, !ts.sys.useCaseSensitiveFileNames);
  const compiled = outputs.find((file) => /\.[cm]?jsx?$/.test(file)) ?? sourceFile;
  const relative = path
    .relative(path.dirname(registryFile), path.resolve(compiled))
    .split(path.sep)
    .join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** SP3003 when the tsconfig writes no JavaScript (`noEmit`, `emitDeclarationOnly`). */
export function compiledModeProblem(
  commandLine: ts.ParsedCommandLine,
  tsconfig: string,
): Diagnostic | undefined {
  const { noEmit, emitDeclarationOnly } = commandLine.options;
  if (!noEmit && !emitDeclarationOnly) return undefined;
  return {
    file: '',
    line: 0,
    column: 0,
    length: 0,
    lineText: '',
    code: `SP${Code.NoCompiledOutput}`,
    message:
      `the compiled registry mode imports the JavaScript tsc writes, but ${path.basename(tsconfig)} sets ` +
      `${noEmit ? 'noEmit' : 'emitDeclarationOnly'}. Point --project at the tsconfig your build compiles with, ` +
      'or use the bundle mode.',
    related: [],
  };
}
