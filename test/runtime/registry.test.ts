/** loadRegistry on small registry modules written to a temp directory: what it accepts, and the one line it throws. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defineRegistry,
  loadRegistry,
  lookupValidator,
  lookupWorker,
  RegistryError,
} from '../../runtime/core/registry.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sidepunch-registry-test-'));
let count = 0;

function registryFile(params: string): string {
  const file = path.join(dir, `registry-${count++}.mjs`);
  writeFileSync(
    file,
    `class Greet { perform(name, ...tags) {} }\nexport default { workers: { Greet }${params ? `, params: ${params}` : ''} };\n`,
  );
  return file;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadRegistry params', () => {
  it('accepts a registry without params, or with names for some classes', async () => {
    expect((await loadRegistry(registryFile(''))).params).toBeUndefined();
    const registry = await loadRegistry(registryFile(`{ Greet: ['name', '...tags'], Other: [] }`));
    expect(registry.params).toEqual({ Greet: ['name', '...tags'], Other: [] });
  });

  it.each([
    ["['name']", 'params must be an object mapping class names to parameter names'],
    ["'name'", 'params must be an object mapping class names to parameter names'],
    ['null', 'params must be an object mapping class names to parameter names'],
    ["{ Greet: 'name' }", 'params.Greet must be an array of parameter names (strings)'],
    ["{ Greet: ['name', 2] }", 'params.Greet must be an array of parameter names (strings)'],
  ])('params %s is refused with one line', async (params, message) => {
    const file = registryFile(params);
    const error = await loadRegistry(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toBe(`${file}: ${message}`);
  });
});

describe('looking up a class by name', () => {
  class Named {
    perform() {}
  }
  const validator = () => undefined;

  it('finds the classes and validators the registry lists, whatever their names', () => {
    const registry = defineRegistry({ workers: { toString: Named }, validators: { toString: validator } });
    expect(lookupWorker(registry, 'toString')).toBe(Named);
    expect(lookupValidator(registry, 'toString')).toBe(validator);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'never takes %s from Object.prototype',
    (name) => {
      const registry = defineRegistry({ workers: { Named }, validators: {} });
      expect(lookupWorker(registry, name)).toBeUndefined();
      expect(lookupValidator(registry, name)).toBeUndefined();
    },
  );
});
