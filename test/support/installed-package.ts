/**
 * The package as a user gets it: packed to a tarball (from the built dist/) and installed in a fresh project.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './runtime-process.js';

const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline'];

export interface ProjectOptions {
  /** The app's own devDependencies (e.g. sidepunch-gen's ts-morph and esbuild), installed beside sidepunch. */
  readonly devDependencies?: Readonly<Record<string, string>>;
}

/** A new project directory with sidepunch installed from a tarball; `scripts` go into its package.json. */
export function installPackage(scripts: Record<string, string> = {}, options: ProjectOptions = {}): string {
  const project = newProject({ scripts, devDependencies: options.devDependencies ?? {} });
  const tarball = execFileSync(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', project],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  ).trim();
  npm(project, 'install', `./${tarball}`);
  return project;
}

/** A new project with only these dependencies installed from the registry (no sidepunch), for comparisons. */
export function installProject(dependencies: Record<string, string>): string {
  const project = newProject({ dependencies });
  npm(project, 'install', '--omit=dev');
  return project;
}

/** `npm ci --omit=dev`: the project reinstalled from its lockfile as a production host or container does. */
export function installForProduction(project: string): void {
  npm(project, 'ci', '--omit=dev');
}

export function removeProject(project: string | undefined): void {
  if (project) rmSync(project, { recursive: true, force: true });
}

function newProject(fields: Record<string, unknown>): string {
  const project = mkdtempSync(path.join(tmpdir(), 'sidepunch-user-'));
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'user-app', type: 'module', private: true, ...fields }),
  );
  return project;
}

function npm(project: string, ...args: string[]): void {
  execFileSync('npm', [...args, ...NPM_FLAGS], { cwd: project, stdio: 'pipe' });
}
