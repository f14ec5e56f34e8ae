/**
 * The package as a user gets it: packed to a tarball (from the built dist/) and installed in a fresh project.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './runtime-process.js';

/** A new project directory with sidepunch installed from a tarball; `scripts` go into its package.json. */
export function installPackage(scripts: Record<string, string> = {}): string {
  const project = mkdtempSync(path.join(tmpdir(), 'sidepunch-user-'));
  const tarball = execFileSync(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', project],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  ).trim();
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'user-app', type: 'module', private: true, scripts }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`], {
    cwd: project,
    stdio: 'pipe',
  });
  return project;
}

export function removeProject(project: string | undefined): void {
  if (project) rmSync(project, { recursive: true, force: true });
}
