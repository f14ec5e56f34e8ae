/**
 * The validators a registry carries: the interpreter on hand-written shapes, then the validators generated from
 * fixture workers, bundled and imported as sidepunch-run loads them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { argsValidator } from '../../compiler/validate-args.js';
import type { ArgsValidator, Registry } from '../../runtime/core/registry.js';
import { loadFixtureRegistry } from './support/load-registry.js';

describe('argsValidator', () => {
  it('checks the number of arguments, counting optional and rest parameters', () => {
    const twoOrThree = argsValidator({ tuple: ['string', 'number', 'boolean'], min: 2 });
    expect(twoOrThree(['a', 1])).toBeUndefined();
    expect(twoOrThree(['a', 1, true])).toBeUndefined();
    expect(twoOrThree(['a'])).toBe('args: expected 2 to 3 arguments, got 1');
    expect(twoOrThree(['a', 1, true, 4])).toBe('args: expected 2 to 3 arguments, got 4');
    const atLeastOne = argsValidator({ tuple: ['string'], min: 1, rest: 'number' });
    expect(atLeastOne(['a', 1, 2, 3])).toBeUndefined();
    expect(atLeastOne([])).toBe('args: expected at least 1 argument, got 0');
    expect(atLeastOne(['a', 1, 'x'])).toBe('args[2]: expected number, got string');
    expect(argsValidator({ tuple: [], min: 0 })([1])).toBe('args: expected 0 arguments, got 1');
  });

  it('names the kind it expected and the kind it got', () => {
    const check = argsValidator({ tuple: ['string', 'number', 'boolean', 'null'], min: 4 });
    expect(check(['a', 1, false, null])).toBeUndefined();
    expect(check([1, 1, false, null])).toBe('args[0]: expected string, got number');
    expect(check(['a', '1', false, null])).toBe('args[1]: expected number, got string');
    expect(check(['a', 1, 0, null])).toBe('args[2]: expected boolean, got number');
    expect(check(['a', 1, true, {}])).toBe('args[3]: expected null, got object');
    expect(check(['a', Number.NaN, true, null])).toBe('args[1]: expected number, got NaN');
  });

  it('takes a union of argument lists (a rest parameter typed as a union of tuples)', () => {
    const check = argsValidator({
      union: [
        { tuple: ['string', 'number'], min: 2 },
        { tuple: ['string', 'number', 'number'], min: 3 },
        { tuple: ['string', { literal: ['thumb'] }], min: 2 },
      ],
    });
    expect(check(['a', 1])).toBeUndefined();
    expect(check(['a', 1, 2])).toBeUndefined();
    expect(check(['a', 'thumb'])).toBeUndefined();
    expect(check(['a', 1, 'x'])).toBe('args[2]: expected number, got string');
    expect(check(['a'])).toBe('args: expected 2 arguments or 3 arguments, got 1');
    expect(check(['a', 'hero'])).toBe('args[1]: expected number, got string');
  });

  it('says what a number JSON cannot write is: 1e400 parses to Infinity', () => {
    const check = argsValidator({ tuple: ['number', { literal: [1, 2] }], min: 2 });
    expect(check(JSON.parse('[1e400, 1]'))).toBe(
      'args[0]: expected number, got Infinity (a number too large for JSON)',
    );
    expect(check(JSON.parse('[1, -1e400]'))).toBe(
      'args[1]: expected 1 | 2, got -Infinity (a number too large for JSON)',
    );
  });

  it('checks literal values and shows the one it got', () => {
    const check = argsValidator({ tuple: [{ literal: ['open', 'closed'] }, { literal: [1, 2] }], min: 2 });
    expect(check(['open', 2])).toBeUndefined();
    expect(check(['paused', 2])).toBe("args[0]: expected 'open' | 'closed', got 'paused'");
    expect(check(['open', 3])).toBe('args[1]: expected 1 | 2, got 3');
    expect(check(['open', null])).toBe('args[1]: expected 1 | 2, got null');
  });

  it('follows object shapes to the failing property, allowing absent optional and extra properties', () => {
    const check = argsValidator({
      tuple: [
        {
          object: { range: { object: { from: 'string', to: 'string' } }, note: 'string', 'x-id': 'number' },
          optional: ['note'],
        },
      ],
      min: 1,
    });
    const good = { range: { from: 'a', to: 'b' }, 'x-id': 1, extra: true };
    expect(check([good])).toBeUndefined();
    expect(check([{ ...good, range: { from: 1, to: 'b' } }])).toBe(
      'args[0].range.from: expected string, got number',
    );
    expect(check([{ ...good, range: { to: 'b' } }])).toBe('args[0].range.from: missing');
    expect(check([{ ...good, note: null }])).toBe('args[0].note: expected string, got null');
    expect(check([{ ...good, 'x-id': '1' }])).toBe('args[0]["x-id"]: expected number, got string');
    expect(check([[good]])).toBe('args[0]: expected object, got array');
  });

  it('checks arrays, tuples and records element by element', () => {
    const check = argsValidator({
      tuple: [{ array: 'number' }, { tuple: ['string', 'number'], min: 1 }, { record: { array: 'string' } }],
      min: 3,
    });
    expect(check([[1, 2], ['a'], { a: ['x'] }])).toBeUndefined();
    expect(check([[1, '2'], ['a'], {}])).toBe('args[0][1]: expected number, got string');
    expect(check([[], ['a', 1, 2], {}])).toBe('args[1]: expected array of 1 to 2 elements, got 3');
    expect(check([[], ['a'], { ok: ['x'], bad: [1] }])).toBe('args[2].bad[0]: expected string, got number');
  });

  it('reports inside the union member of the same kind, or the one its discriminant selects', () => {
    const check = argsValidator({
      tuple: [
        {
          union: [
            { object: { kind: { literal: ['created'] }, id: 'string' } },
            { object: { kind: { literal: ['deleted'] }, id: 'string', reason: 'string' } },
          ],
        },
        { union: ['null', { array: 'string' }] },
      ],
      min: 2,
    });
    expect(check([{ kind: 'created', id: 'a' }, null])).toBeUndefined();
    expect(check([{ kind: 'deleted', id: 'a' }, null])).toBe('args[0].reason: missing');
    expect(check([{ kind: 'moved', id: 'a' }, null])).toBe(
      "args[0].kind: expected 'created' | 'deleted', got 'moved'",
    );
    expect(check([{ kind: 'created', id: 'a' }, ['a', 1]])).toBe('args[1][1]: expected string, got number');
    expect(check([{ kind: 'created', id: 'a' }, 'a'])).toBe('args[1]: expected null | array, got string');
  });

  it('in a union of objects without a discriminant, reports inside the member whose properties the value has', () => {
    const check = argsValidator({
      tuple: [{ union: [{ object: { id: 'number' } }, { object: { name: 'string' } }] }],
      min: 1,
    });
    expect(check([{ id: 1 }])).toBeUndefined();
    expect(check([{ name: 5 }])).toBe('args[0].name: expected string, got number');
    expect(check([{ id: 'x' }])).toBe('args[0].id: expected number, got string');
    expect(check([{ other: 1, name: 5 }])).toBe('args[0].name: expected string, got number');
    // Nothing to choose by: the members' shapes.
    const both = argsValidator({
      tuple: [
        { union: [{ object: { id: 'number' } }, { object: { name: 'string', tags: { array: 'string' } } }] },
      ],
      min: 1,
    });
    expect(both([{ other: 1 }])).toBe(
      'args[0]: expected { id: number } | { name: string; tags: array }, got object',
    );
  });

  it('checks recursive shapes through the table without looping', () => {
    const check = argsValidator(
      { tuple: [{ ref: 'Json' }], min: 1 },
      {
        Json: {
          union: [
            'null',
            'string',
            'number',
            'boolean',
            { array: { ref: 'Json' } },
            { record: { ref: 'Json' } },
          ],
        },
      },
    );
    expect(check([{ a: [1, 'b', { c: null, d: [true] }] }])).toBeUndefined();
    expect(check([{ a: [1, { c: () => 1 }] }])).toBe(
      'args[0].a[1].c: expected null | string | number | boolean | array | object, got function',
    );
  });
});

describe('generated validators', () => {
  let unions: Registry;
  let recursive: Registry;
  let objects: Registry;
  let oddNames: Registry;

  beforeAll(async () => {
    const loaded = ['allow-unions', 'allow-recursive', 'allow-objects', 'allow-odd-names'].map(
      loadFixtureRegistry,
    );
    unions = await loaded[0]!;
    recursive = await loaded[1]!;
    objects = await loaded[2]!;
    oddNames = await loaded[3]!;
  });

  const validator = (registry: Registry, name: string): ArgsValidator => registry.validators![name]!;

  it('the registry carries each worker class and its validator', () => {
    expect(Object.keys(unions.workers)).toEqual(['ApplyChange']);
    expect(typeof unions.workers.ApplyChange!.prototype.perform).toBe('function');
    expect(typeof validator(unions, 'ApplyChange')).toBe('function');
  });

  it('accepts the arguments perform takes', () => {
    const check = validator(unions, 'ApplyChange');
    expect(
      check([{ kind: 'renamed', id: 'a', from: 'x', to: 'y' }, 3, null, [true, 'auto']]),
    ).toBeUndefined();
    expect(check([{ kind: 'deleted', id: 'a' }, 'yesterday', 'note', []])).toBeUndefined();
  });

  it('rejects a payload from another deploy with the path that failed', () => {
    const check = validator(unions, 'ApplyChange');
    expect(check([{ kind: 'renamed', id: 'a', from: 'x', to: 7 }, 3, null, []])).toBe(
      'args[0].to: expected string, got number',
    );
    expect(check([{ kind: 'created', id: 'a', by: 1 }, 3, null, ['on']])).toBe(
      "args[3][0]: expected 'auto' | boolean, got 'on'",
    );
    expect(check([{ kind: 'created', id: 'a', by: 1 }, 3])).toBe('args: expected 4 arguments, got 2');
  });

  it('checks recursive types to any depth', () => {
    const check = validator(recursive, 'StoreDocument');
    const tree = { name: 'root', children: [{ name: 'leaf', children: [], parent: null }] };
    expect(check([{ a: [1, { b: null }] }, tree, [1, 'two']])).toBeUndefined();
    const badTree = { name: 'root', children: [{ name: 'leaf', children: [{ name: 3, children: [] }] }] };
    expect(check([{}, badTree, []])).toBe(
      'args[1].children[0].children[0].name: expected string, got number',
    );
  });

  it('treats optional and undefined-able properties as may-be-absent, and brands as their primitive', () => {
    const check = validator(objects, 'ShipOrder');
    const order = {
      id: 'o1',
      total: { amountCents: 100, currency: 'EUR' },
      items: [{ sku: 's', quantity: 1 }],
    };
    expect(check([{ line1: 'a', city: 'b' }, order, { name: 'n' }, 'user-1'])).toBeUndefined();
    expect(check([{ line1: 'a', city: 'b' }, order, { name: 'n' }, 1])).toBe(
      'args[3]: expected string, got number',
    );
    expect(
      check([
        { line1: 'a', city: 'b' },
        { ...order, total: { amountCents: 1, currency: 'JPY' } },
        { name: 'n' },
        'u',
      ]),
    ).toBe("args[1].total.currency: expected 'EUR' | 'USD', got 'JPY'");
  });

  it('check quoted names like __#at and __@odd as the properties they are, and ignore an always-absent one', () => {
    const check = validator(oddNames, 'StoreOdd');
    const odd = { '__#at': 'a', '__@odd': 1, toJSON: 'j' };
    expect(check([odd])).toBeUndefined();
    expect(check([{ ...odd, '__#at': 5 }])).toBe('args[0]["__#at"]: expected string, got number');
    expect(check([{ '__@odd': 1, toJSON: 'j' }])).toBe('args[0]["__#at"]: missing');
    expect(check([{ ...odd, toJSON: undefined }])).toBe('args[0].toJSON: missing (expected string)');
  });

  it('check template literal strings, and template-keyed index signatures only at the keys that match', async () => {
    const check = validator(await loadFixtureRegistry('allow-template-literals'), 'TrackOrder');
    const valid = ['order-12', { 'x-a': 1 }, { primary: 'p', 'slot-3': true }, 'web:home', 'LOUD'];
    const withArg = (index: number, value: unknown) => valid.map((arg, i) => (i === index ? value : arg));
    expect(check(valid)).toBeUndefined();
    expect(check(withArg(0, 'order-1.5e3'))).toBeUndefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal type's text
    expect(check(withArg(0, 'anything'))).toBe("args[0]: expected `order-${number}`, got 'anything'");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal type's text
    expect(check(withArg(0, 'order-x'))).toBe("args[0]: expected `order-${number}`, got 'order-x'");
    expect(check(withArg(1, { 'x-a': 1, other: 's' }))).toBeUndefined();
    expect(check(withArg(1, { 'x-a': 's' }))).toBe('args[1]["x-a"]: expected number, got string');
    expect(check(withArg(2, { primary: 'p', 'slot-3': true, 'slot-x': 'no', other: 1 }))).toBeUndefined();
    expect(check(withArg(2, { primary: 'p', 'slot-3': 'yes' }))).toBe(
      'args[2]["slot-3"]: expected boolean, got string',
    );
    expect(check(withArg(3, null))).toBeUndefined();
    expect(check(withArg(3, 'app:'))).toBeUndefined();
    expect(check(withArg(3, 'tv:home'))).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal type's text
      "args[3]: expected null | `app:${string}` | `web:${string}`, got 'tv:home'",
    );
  });

  it('register class expressions under the name JavaScript gives them, which push({ class }) sends', async () => {
    const registry = await loadFixtureRegistry('allow-class-expression');
    expect(Object.keys(registry.workers).sort()).toEqual(['Purge', 'Reindex', 'SendDigest']);
    expect(validator(registry, 'Reindex')(['main'])).toBeUndefined();
  });
});
