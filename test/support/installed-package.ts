/**
 * The package as a user gets it: packed to a tarball (from the built dist/) and installed in a fresh project.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './runtime-process.js';

const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline'];

export interface ProjectOptions {
  /** The app's own devDependencies (e.g. sidepunch-gen's ts-morph and esbuild), installed beside sidepunch. */
  readonly devDependencies?: Readonly<Record<string, string>>;
  /** `module` (the default) writes `"type": "module"`; `commonjs` writes no "type", as `npm init` does. */
  readonly type?: 'module' | 'commonjs';
  /** npm workspaces (globs); each workspace's package.json and sources come through `files`. */
  readonly workspaces?: readonly string[];
  /** Files written before `npm install`, by path relative to the project. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A new project directory with sidepunch installed from a tarball; `scripts` go into its package.json. */
export function installPackage(scripts: Record<string, string> = {}, options: ProjectOptions = {}): string {
  const project = newProject(
    {
      scripts,
      devDependencies: options.devDependencies ?? {},
      ...(options.workspaces ? { workspaces: options.workspaces } : {}),
    },
    options.type,
  );
  for (const [file, text] of Object.entries(options.files ?? {})) {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), text);
  }
  const tarball = execFileSync(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', project],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  ).trim();
  npm(project, 'install', `./${tarball}`);
  return project;
}

/** These packages at the versions this repo builds and tests with (its devDependencies). */
export function repoVersions(...names: string[]): Record<string, string> {
  const { devDependencies } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  return Object.fromEntries(names.map((name) => [name, devDependencies[name] as string]));
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

function newProject(fields: Record<string, unknown>, type: 'module' | 'commonjs' = 'module'): string {
  const project = mkdtempSync(path.join(tmpdir(), 'sidepunch-user-'));
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'user-app', ...(type === 'module' ? { type } : {}), private: true, ...fields }),
  );
  return project;
}

/** An install that takes seconds; one that hangs is npm's (seen once, idle with no socket open after its cache hits). */
const NPM_TIMEOUT_MS = 120_000;

/** Runs npm in `project`; a run that hangs is killed and run once more, so a stuck npm fails the test, not CI. */
function npm(project: string, ...args: string[]): void {
  const run = () =>
    execFileSync('npm', [...args, ...NPM_FLAGS], {
      cwd: project,
      stdio: 'pipe',
      timeout: NPM_TIMEOUT_MS,
      killSignal: 'SIGKILL', // the stuck npm ignored SIGTERM
    });
  try {
    run();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw error;
    run();
  }
}
