/**
 * The parameter names a generated registry carries for the web dashboard, bundled and imported as sidepunch-run
 * loads them: optional parameters by name, a rest parameter spread.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { argumentNames } from '../../runtime/core/argument-names.js';
import type { Registry } from '../../runtime/core/registry.js';
import { loadFixtureRegistry } from './support/load-registry.js';

describe('generated params', () => {
  let registry: Registry;

  beforeAll(async () => {
    registry = await loadFixtureRegistry('allow-optional-rest');
  });

  it('lists each worker’s perform parameter names in order, a rest parameter as ...name', () => {
    expect(registry.params).toEqual({
      Move: ['id', '...to'],
      Tag: ['label', '...more'],
      WriteLog: ['message', 'level', 'count', '...tags'],
    });
  });

  it('names a job’s arguments, optional and rest ones included', () => {
    expect(argumentNames(registry, 'WriteLog', 1)).toEqual(['message']);
    expect(argumentNames(registry, 'WriteLog', 5)).toEqual([
      'message',
      'level',
      'count',
      'tags[0]',
      'tags[1]',
    ]);
    expect(argumentNames(registry, 'Move', 3)).toEqual(['id', 'to[0]', 'to[1]']);
  });
});
