/**
 * A run that reuses results reads only part of the project: the tsconfig's settings, and a ts-morph Project
 * whose files are the given roots (the stale files and the global ones) and what they import, as tsc would
 * resolve it. Skipping the rest is what makes a rerun after one edit cheap: no parsing or binding of the other
 * workers' files.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { configErrors, type LoadedProject, watchedConfig } from './project.js';

export interface ProjectSettings {
  readonly compilerOptions: ts.CompilerOptions;
  /** The files the tsconfig includes. */
  readonly fileNames: readonly string[];
  readonly configFiles: readonly string[];
  readonly wildcardDirectories: Readonly<Record<string, boolean>>;
}

/** The tsconfig's settings, or undefined when it has errors (a full load reports them). */
export function readSettings(tsconfig: string): ProjectSettings | undefined {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (!parsed || configErrors(parsed).length > 0) return undefined;
  return {
    compilerOptions: parsed.options,
    fileNames: parsed.fileNames.map((file) => path.resolve(file)),
    ...watchedConfig(tsconfig, parsed),
  };
}

export function loadPartialProject(
  tsconfig: string,
  settings: ProjectSettings,
  roots: Iterable<string>,
): LoadedProject {
  const project = new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true });
  for (const file of roots) if (existsSync(file)) project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  return {
    project,
    compilerOptions: project.getCompilerOptions(),
    configFiles: settings.configFiles,
    wildcardDirectories: settings.wildcardDirectories,
  };
}
