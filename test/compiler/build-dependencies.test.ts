/**
 * sidepunch-gen's ts-morph and esbuild live in the app's devDependencies: the check that runs before either is
 * imported finds them as Node does, and says in one line what is missing or out of range and how to install it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUILD_DEPENDENCIES,
  buildDependencyProblem,
  satisfiesCaret,
} from '../../compiler/build-dependencies.js';
import { REPO } from './support/fixture-config.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A temp app with these packages in node_modules; returns where sidepunch's compiler would sit in it. */
function appWith(packages: Record<string, string>): string {
  root = mkdtempSync(path.join(tmpdir(), 'sidepunch-deps-'));
  for (const [at, version] of Object.entries(packages)) {
    mkdirSync(path.join(root, at), { recursive: true });
    writeFileSync(path.join(root, at, 'package.json'), JSON.stringify({ version }));
  }
  const compiler = path.join(root, 'node_modules/sidepunch/dist/compiler');
  mkdirSync(compiler, { recursive: true });
  return compiler;
}

const INSTALL_BOTH = 'npm install --save-dev ts-morph@^28.0.0 esbuild@^0.28.2';

describe('the build dependency check', () => {
  it('passes in this repo, whose pinned devDependencies are within the supported ranges', () => {
    const pinned = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).devDependencies;
    for (const [name, range] of Object.entries(BUILD_DEPENDENCIES))
      expect(satisfiesCaret(pinned[name], range), `${name} ${pinned[name]}`).toBe(true);
    expect(buildDependencyProblem()).toBeUndefined();
  });

  it('the docs show the npm command sidepunch-gen prints', () => {
    for (const doc of ['README.md', 'docs/deploying.md', 'docs/sidepunch-gen.md'])
      expect(readFileSync(path.join(REPO, doc), 'utf8'), doc).toContain(INSTALL_BOTH);
    expect(buildDependencyProblem(appWith({}))).toContain(INSTALL_BOTH);
  });

  it('passes when the app has both at supported versions', () => {
    const from = appWith({ 'node_modules/ts-morph': '28.3.1', 'node_modules/esbuild': '0.28.9' });
    expect(buildDependencyProblem(from)).toBeUndefined();
  });

  it('names both and the npm command when neither is installed', () => {
    expect(buildDependencyProblem(appWith({}))).toBe(
      `ts-morph and esbuild are not installed; install them as devDependencies: ${INSTALL_BOTH}`,
    );
  });

  it('names the version found when one is out of range', () => {
    const from = appWith({ 'node_modules/ts-morph': '27.0.0', 'node_modules/esbuild': '0.28.2' });
    expect(buildDependencyProblem(from)).toBe(
      'ts-morph 27.0.0 is installed, outside the supported ^28.0.0; install it as a devDependency: npm install --save-dev ts-morph@^28.0.0',
    );
  });

  it('says both things in one line when one is missing and the other out of range', () => {
    const from = appWith({ 'node_modules/ts-morph': '28.0.0', 'node_modules/esbuild': '0.29.0' });
    rmSync(path.join(root!, 'node_modules/ts-morph'), { recursive: true });
    expect(buildDependencyProblem(from)).toBe(
      `ts-morph is not installed, and esbuild 0.29.0 is installed, outside the supported ^0.28.2; install them as devDependencies: ${INSTALL_BOTH}`,
    );
  });

  it('finds the nearest copy, as Node resolves an import from sidepunch', () => {
    const from = appWith({
      'node_modules/ts-morph': '27.0.0',
      'node_modules/sidepunch/node_modules/ts-morph': '28.0.0',
      'node_modules/esbuild': '0.28.2',
    });
    expect(buildDependencyProblem(from)).toBeUndefined();
  });

  it.each([
    ['28.0.0', '^28.0.0', true],
    ['28.9.3', '^28.0.0', true],
    ['29.0.0', '^28.0.0', false],
    ['27.9.9', '^28.0.0', false],
    ['28.1.0-beta.1', '^28.0.0', false],
    ['0.28.2', '^0.28.2', true],
    ['0.28.10', '^0.28.2', true],
    ['0.28.1', '^0.28.2', false],
    ['0.29.0', '^0.28.2', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfiesCaret(version, range)).toBe(expected);
  });
});
