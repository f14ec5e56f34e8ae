import { describe, expect, it } from 'vitest';
import { argumentNames } from '../../runtime/core/argument-names.js';
import type { Registry } from '../../runtime/core/registry.js';

class Job {
  perform(): void {}
}

const registry: Registry = {
  workers: { ShipOrder: Job, WriteLog: Job, Unlisted: Job },
  params: {
    ShipOrder: ['orderId', 'email', 'shipTo'],
    WriteLog: ['message', 'level', '...tags'],
  },
};

describe('argumentNames', () => {
  it('names arguments by perform’s parameters, in order', () => {
    expect(argumentNames(registry, 'ShipOrder', 2)).toEqual(['orderId', 'email']);
    expect(argumentNames(registry, 'ShipOrder', 3)).toEqual(['orderId', 'email', 'shipTo']);
  });

  it('names the arguments a rest parameter takes by their index in it', () => {
    expect(argumentNames(registry, 'WriteLog', 2)).toEqual(['message', 'level']);
    expect(argumentNames(registry, 'WriteLog', 5)).toEqual([
      'message',
      'level',
      'tags[0]',
      'tags[1]',
      'tags[2]',
    ]);
  });

  it('names arguments beyond the declared parameters by their index', () => {
    expect(argumentNames(registry, 'ShipOrder', 5)).toEqual(['orderId', 'email', 'shipTo', 'arg3', 'arg4']);
  });

  it('names every argument by its index for a class without params, or without a registry', () => {
    expect(argumentNames(registry, 'Unlisted', 2)).toEqual(['arg0', 'arg1']);
    expect(argumentNames(registry, 'NotRegistered', 1)).toEqual(['arg0']);
    expect(argumentNames({ workers: {} }, 'ShipOrder', 2)).toEqual(['arg0', 'arg1']);
    expect(argumentNames(undefined, 'ShipOrder', 2)).toEqual(['arg0', 'arg1']);
    expect(argumentNames(registry, 'constructor', 1)).toEqual(['arg0']);
  });

  it('returns no names for no arguments', () => {
    expect(argumentNames(registry, 'ShipOrder', 0)).toEqual([]);
  });
});
