/**
 * The committed package-lock.json must describe package.json exactly, or `npm install` on a fresh clone rewrites it
 * (as it did when the sidepunch-web bin was missing from it) and `npm ci` installs from a stale description.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runtime-process.js';

const manifest = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8'));
const lock = JSON.parse(readFileSync(`${REPO_ROOT}package-lock.json`, 'utf8'));

describe('package-lock.json', () => {
  it("describes package.json's name, version, bins, dependencies and engines as they are", () => {
    const root = lock.packages[''];
    expect({
      name: root.name,
      version: root.version,
      bin: root.bin,
      dependencies: root.dependencies,
      devDependencies: root.devDependencies,
      engines: root.engines,
    }).toEqual({
      name: manifest.name,
      version: manifest.version,
      bin: manifest.bin,
      dependencies: manifest.dependencies,
      devDependencies: manifest.devDependencies,
      engines: manifest.engines,
    });
  });

  it('locks every dependency at the exact version package.json pins', () => {
    const pinned = { ...manifest.dependencies, ...manifest.devDependencies };
    for (const [name, spec] of Object.entries(pinned)) {
      // An alias (`"typescript-native": "npm:typescript@7.0.2"`) locks the aliased package under its own name.
      const alias = /^npm:(.+)@([^@]+)$/.exec(String(spec));
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked?.version, name).toBe(alias ? alias[2] : spec);
      if (alias) expect(locked?.name, name).toBe(alias[1]);
    }
  });
});
