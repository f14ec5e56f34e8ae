/**
 * A throwaway project in the temp directory: package.json, a tsconfig of its own (NodeNext, strict) that maps
 * 'sidepunch' to this repo's runtime, and the files a test gives. Returns helpers to edit and read it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { REPO } from './fixture-config.js';

export interface TempProject {
  readonly dir: string;
  write(file: string, text: string): void;
  read(file: string): string;
  path(file: string): string;
  remove(): void;
}

export function tempProject(
  files: Record<string, string>,
  packageJson: Record<string, unknown> = {},
): TempProject {
  const dir = mkdtempSync(path.join(tmpdir(), 'sidepunch-gen-'));
  const project: TempProject = {
    dir,
    path: (file) => path.join(dir, file),
    write(file, text) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    },
    read: (file) => readFileSync(path.join(dir, file), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  project.write(
    'package.json',
    JSON.stringify({ name: 'app', private: true, type: 'module', ...packageJson }),
  );
  project.write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: [],
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        paths: { sidepunch: [path.join(REPO, 'runtime/core/worker.ts')] },
      },
      include: ['src'],
    }),
  );
  for (const [file, text] of Object.entries(files)) project.write(file, text);
  return project;
}

/** A worker file: `export class <name> implements SidepunchWorker { perform(<params>) {} }`. */
/** `tempProject` for the calling test file: each project it makes is removed after the test that made it. */
export function useTempProjects(): typeof tempProject {
  const made: TempProject[] = [];
  afterEach(() => {
    for (const project of made.splice(0)) project.remove();
  });
  return (files, packageJson) => {
    const project = tempProject(files, packageJson);
    made.push(project);
    return project;
  };
}

export function workerSource(name: string, params: string, options = ''): string {
  return [
    "import type { SidepunchWorker } from 'sidepunch';",
    '',
    `export class ${name} implements SidepunchWorker {`,
    ...(options ? [`  static sidepunchOptions = ${options};`, ''] : []),
    `  perform(${params}): void {}`,
    '}',
    '',
  ].join('\n');
}
