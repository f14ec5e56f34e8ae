/**
 * The periodic modules type-checked against the stubs this run is about to write, so a wrong argument (an entry
 * whose `args` do not fit its stub's `perform`) fails sidepunch-gen with TypeScript's own error, before anything is
 * written, even when the stubs on disk are stale or not yet generated.
 */
import type { Project } from 'ts-morph';
import { type Diagnostic, fromTypeScript } from '../diagnostic.js';

export function periodicTypeDiagnostics(
  project: Project,
  modules: readonly string[],
  stubsFile: string,
  stubsText: string,
): Diagnostic[] {
  if (modules.length === 0) return [];
  if (project.getSourceFile(stubsFile)?.getFullText() !== stubsText)
    project.createSourceFile(stubsFile, stubsText, { overwrite: true });
  const program = project.getProgram().compilerObject;
  return modules.flatMap((file) => {
    const sourceFile = program.getSourceFile(file);
    return sourceFile ? program.getSemanticDiagnostics(sourceFile).map(fromTypeScript) : [];
  });
}
