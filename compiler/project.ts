/**
 * The read layer: loads the user's tsconfig into a ts-morph Project (which brings TypeScript 6 and its lib
 * files) exactly as tsc would see it. A broken tsconfig is reported as TypeScript's own diagnostics; a
 * solution-style one (no files, only references) is an error naming the projects it references.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { type Diagnostic, fromTypeScript } from './diagnostic.js';

export interface LoadedProject {
  readonly project: Project;
  readonly compilerOptions: ts.CompilerOptions;
  /** Files and directories whose change can change the result (for the cache and the watcher). */
  readonly configFiles: readonly string[];
  readonly wildcardDirectories: Readonly<Record<string, boolean>>;
}

export class ProjectError extends Error {
  override name = 'ProjectError';
}

export function loadProject(tsconfig: string): LoadedProject | { diagnostics: Diagnostic[] } {
  const parsed = readTsconfig(tsconfig);
  const errors = configErrors(parsed);
  if (errors.length > 0) return { diagnostics: errors.map(fromTypeScript) };
  // Only now: ts-morph throws on a tsconfig that is not JSON, which the errors above report as tsc does (TS1005).
  const project = new Project({ tsConfigFilePath: tsconfig });
  return { project, compilerOptions: project.getCompilerOptions(), ...watchedConfig(tsconfig, parsed) };
}

/** tsc's own list of a tsconfig's errors: its JSON syntax errors (TS1005), then the options'. */
export function configErrors(parsed: ts.ParsedCommandLine | undefined): ts.Diagnostic[] {
  return (parsed ? ts.getConfigFileParsingDiagnostics(parsed) : []).filter(
    (error) => error.category === ts.DiagnosticCategory.Error && error.code !== NO_INPUTS,
  );
}

/** The files and directories of a tsconfig whose change can change the result (LoadedProject's). */
export function watchedConfig(
  tsconfig: string,
  parsed: ts.ParsedCommandLine | undefined,
): Pick<LoadedProject, 'configFiles' | 'wildcardDirectories'> {
  const configFile = parsed?.options.configFile as
    | (ts.TsConfigSourceFile & { extendedSourceFiles?: string[] })
    | undefined;
  return {
    configFiles: [tsconfig, ...(configFile?.extendedSourceFiles ?? [])],
    wildcardDirectories: Object.fromEntries(
      Object.entries(parsed?.wildcardDirectories ?? {}).map(([dir, flags]) => [
        dir,
        (flags & ts.WatchDirectoryFlags.Recursive) !== 0,
      ]),
    ),
  };
}

/**
 * The tsconfig as tsc reads it. A ProjectError (one line, exit 2) when there is none, or when it is solution-style:
 * `--watch` asks this first, since a watcher with nothing to watch would end with exit 0.
 */
export function readTsconfig(tsconfig: string): ts.ParsedCommandLine | undefined {
  if (!existsSync(tsconfig)) throw new ProjectError(`cannot find the tsconfig ${tsconfig}`);
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  );
  const references = parsed?.projectReferences ?? [];
  if (parsed && parsed.fileNames.length === 0 && references.length > 0) {
    throw new ProjectError(solutionMessage(tsconfig, references));
  }
  return parsed;
}

/**
 * A solution-style tsconfig (`"files": []` and `references`) has no files of its own, so no workers: generating
 * at its level would write empty outputs. Name the projects it references instead.
 */
function solutionMessage(tsconfig: string, references: readonly ts.ProjectReference[]): string {
  const dir = path.dirname(tsconfig);
  const projects = references.map((reference) => {
    const file = ts.resolveProjectReferencePath(reference);
    const relative = path.relative(dir, file).split(path.sep).join('/');
    return relative.startsWith('.') ? relative : `./${relative}`;
  });
  return (
    `${tsconfig} lists no files of its own, only project references (${projects.join(', ')}), so it has no ` +
    `workers. Run sidepunch-gen for the project that holds them: -p ${projects[0]} (paths from ${dir}), or set ` +
    '"project" in the "sidepunch" field of its package.json.'
  );
}

/** "No inputs were found in config file": a project without files has no workers, which is not an error. */
const NO_INPUTS = 18003;
