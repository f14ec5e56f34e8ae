/**
 * How the runtime treats a job whose arguments fail its worker's validator but fit an older generation
 * (runtime/core/upgrade.ts): upgraded step by step across generations, or rejected saying which generation the
 * arguments have and why they cannot be upgraded.
 */
import { describe, expect, it } from 'vitest';
import { argsValidator } from '../../compiler/validate-args.js';
import type { Registry } from '../../runtime/core/registry.js';
import { checkArgs, describeRejection } from '../../runtime/core/upgrade.js';

/** SendWelcome: generation 1 `(email)`, 2 `(email, locale)`, 3 `({ email, locale })`. */
function registry(worker: object): Registry {
  return {
    workers: { SendWelcome: worker as Registry['workers'][string] },
    validators: {
      SendWelcome: argsValidator({ tuple: [{ object: { email: 'string', locale: 'string' } }], min: 1 }),
    },
    generations: {
      SendWelcome: {
        current: 3,
        old: [
          { generation: 1, validator: argsValidator({ tuple: ['string'], min: 1 }) },
          { generation: 2, validator: argsValidator({ tuple: ['string', 'string'], min: 2 }) },
        ],
      },
    },
  };
}

class Stacked {
  static sidepunchUpgrades = { 1: ([email]: [string]) => [email, 'en'] };
  static sidepunchUpgrade([email, locale]: [string, string]) {
    return [{ email, locale }];
  }
  perform() {}
}

class LatestOnly {
  static sidepunchUpgrade([email, locale]: [string, string]) {
    return [{ email, locale }];
  }
  perform() {}
}

describe('arguments of an older generation', () => {
  it('fit as they are when they pass the current validator', () => {
    expect(
      checkArgs(registry(Stacked), Stacked as never, 'SendWelcome', [{ email: 'a', locale: 'fr' }]),
    ).toEqual({
      kind: 'fits',
    });
  });

  it('two generations old are upgraded step by step', () => {
    expect(checkArgs(registry(Stacked), Stacked as never, 'SendWelcome', ['a@x'])).toEqual({
      kind: 'upgraded',
      from: 1,
      args: [{ email: 'a@x', locale: 'en' }],
    });
    expect(checkArgs(registry(Stacked), Stacked as never, 'SendWelcome', ['a@x', 'de'])).toEqual({
      kind: 'upgraded',
      from: 2,
      args: [{ email: 'a@x', locale: 'de' }],
    });
  });

  it('are rejected, naming their generation and the missing step, when a step is missing', () => {
    const verdict = checkArgs(registry(LatestOnly), LatestOnly as never, 'SendWelcome', ['a@x']);
    expect(verdict).toMatchObject({ kind: 'rejected', generation: 1 });
    expect(describeRejection(verdict as never)).toBe(
      'args[0]: expected object, got string (they fit generation 1 of its arguments, but SendWelcome has no upgrade step from generation 1 (static sidepunchUpgrades[1]))',
    );
  });

  it('are rejected with the reason when a step throws or returns what the validator refuses', () => {
    class Throws {
      static sidepunchUpgrade(): never {
        throw new Error('no locale known');
      }
      perform() {}
    }
    class Wrong {
      static sidepunchUpgrade() {
        return [{ email: 1 }];
      }
      perform() {}
    }
    expect(checkArgs(registry(Throws), Throws as never, 'SendWelcome', ['a', 'b'])).toMatchObject({
      kind: 'rejected',
      generation: 2,
      why: 'its upgrade step from generation 2 threw: no locale known',
    });
    expect(checkArgs(registry(Wrong), Wrong as never, 'SendWelcome', ['a', 'b'])).toMatchObject({
      kind: 'rejected',
      generation: 2,
      why: 'upgraded, they still do not fit: args[0].email: expected string, got number',
    });
  });

  it('that fit no generation are rejected with the current validator reason alone', () => {
    const verdict = checkArgs(registry(Stacked), Stacked as never, 'SendWelcome', [42]);
    expect(verdict).toEqual({ kind: 'rejected', problem: 'args[0]: expected object, got number' });
  });
});
