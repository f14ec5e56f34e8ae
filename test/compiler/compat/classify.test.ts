/**
 * Golden cases of the compatibility classifier: for each kind of change, old arguments → new arguments → the
 * verdict a deploy gets (compatible, or the change that breaks jobs already queued).
 */
import { describe, expect, it } from 'vitest';
import { type ArgsGeneration, classifyChange } from '../../../compiler/compat/classify.js';
import type { Shape, ShapeTable, TupleShape } from '../../../compiler/shape.js';

const args = (tuple: Shape[], min = tuple.length, rest?: Shape): TupleShape => ({
  tuple,
  min,
  ...(rest !== undefined ? { rest } : {}),
});
const gen = (params: string[], shape: TupleShape, shapes: ShapeTable = {}): ArgsGeneration => ({
  args: shape,
  params,
  shapes,
});
const obj = (object: Record<string, Shape>, optional?: string[], index?: Shape): Shape => ({
  object,
  ...(optional ? { optional } : {}),
  ...(index !== undefined ? { index } : {}),
});

// biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal type's text
const ORDER_ID: Shape = { pattern: '^order-(?:\\d+)$', like: '`order-${number}`' };
// biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal type's text
const X_KEYS = { pattern: '^x-(?:[\\s\\S]*)$', like: '`x-${string}`' };

const CASES: readonly [name: string, old: ArgsGeneration, next: ArgsGeneration, verdict: string][] = [
  ['unchanged', gen(['id'], args(['string'])), gen(['id'], args(['string'])), 'compatible'],
  [
    'an optional parameter added',
    gen(['id'], args(['string'])),
    gen(['id', 'locale'], args(['string', 'string'], 1)),
    'compatible',
  ],
  [
    'a parameter renamed in place',
    gen(['id'], args(['string'])),
    gen(['orderId'], args(['string'])),
    'compatible',
  ],
  [
    'a required parameter added',
    gen(['id'], args(['string'])),
    gen(['id', 'locale'], args(['string', 'string'])),
    "required parameter 'locale' added",
  ],
  [
    'an optional parameter made required',
    gen(['id', 'locale'], args(['string', 'string'], 1)),
    gen(['id', 'locale'], args(['string', 'string'])),
    "parameter 'locale' made required",
  ],
  [
    'the last parameter removed',
    gen(['id', 'locale'], args(['string', 'string'])),
    gen(['id'], args(['string'])),
    "parameter 'locale' removed (old jobs carry it)",
  ],
  [
    'a parameter removed before another',
    gen(['id', 'email', 'locale'], args(['string', 'string', 'string'])),
    gen(['id', 'locale'], args(['string', 'string'])),
    "parameter 'email' removed: the parameters after it move up, so old jobs' values would reach the wrong ones",
  ],
  [
    'parameters reordered',
    gen(['from', 'to'], args(['string', 'string'])),
    gen(['to', 'from'], args(['string', 'string'])),
    'parameters reordered: (from, to) became (to, from)',
  ],
  [
    'an optional parameter inserted before another',
    gen(['email', 'locale'], args(['string', 'string'], 1)),
    gen(['email', 'tenant', 'locale'], args(['string', 'string', 'string'], 1)),
    "parameter 'tenant' inserted before 'locale': the parameters from there move down, so old jobs' values would reach the wrong ones",
  ],
  [
    'an optional parameter inserted before a rest parameter',
    gen(['id', '...tags'], args(['string'], 1, 'string')),
    gen(['id', 'note', '...tags'], args(['string', 'string'], 1, 'string')),
    "parameter 'note' inserted before 'tags': the parameters from there move down, so old jobs' values would reach the wrong ones",
  ],
  [
    'a parameter renamed in place before another',
    gen(['id', 'email', 'locale'], args(['string', 'string', 'string'], 2)),
    gen(['id', 'address', 'locale'], args(['string', 'string', 'string'], 2)),
    'compatible',
  ],
  [
    'a type widened to a union',
    gen(['id'], args(['string'])),
    gen(['id'], args([{ union: ['string', 'number'] }])),
    'compatible',
  ],
  [
    'a type narrowed out of a union',
    gen(['id'], args([{ union: ['string', 'number'] }])),
    gen(['id'], args(['string'])),
    'id: type narrowed from number to string',
  ],
  [
    'a type changed',
    gen(['count'], args(['number'])),
    gen(['count'], args(['string'])),
    'count: type narrowed from number to string',
  ],
  [
    'null allowed',
    gen(['note'], args(['string'])),
    gen(['note'], args([{ union: ['null', 'string'] }])),
    'compatible',
  ],
  [
    'null no longer allowed',
    gen(['note'], args([{ union: ['null', 'string'] }])),
    gen(['note'], args(['string'])),
    'note: type narrowed from null to string',
  ],
  [
    'an enum value removed',
    gen(['level'], args([{ literal: ['high', 'low', 'mid'] }])),
    gen(['level'], args([{ literal: ['high', 'low'] }])),
    "level: 'mid' is no longer one of the values (now 'high' | 'low')",
  ],
  [
    'an enum value added',
    gen(['level'], args([{ literal: ['high', 'low'] }])),
    gen(['level'], args([{ literal: ['high', 'low', 'mid'] }])),
    'compatible',
  ],
  [
    'literals widened to their primitive',
    gen(['level'], args([{ literal: [1, 2] }])),
    gen(['level'], args(['number'])),
    'compatible',
  ],
  [
    'a primitive narrowed to literals',
    gen(['level'], args(['string'])),
    gen(['level'], args([{ literal: ['high', 'low'] }])),
    "level: type narrowed from string to 'high' | 'low'",
  ],
  [
    'a nested property made required',
    gen(['order'], args([obj({ id: 'string', note: 'string' }, ['note'])])),
    gen(['order'], args([obj({ id: 'string', note: 'string' })])),
    'order.note: property made required',
  ],
  [
    'a required property added',
    gen(['order'], args([obj({ id: 'string' })])),
    gen(['order'], args([obj({ id: 'string', total: 'number' })])),
    'order.total: required property added',
  ],
  [
    'an optional property added',
    gen(['order'], args([obj({ id: 'string' })])),
    gen(['order'], args([obj({ id: 'string', total: 'number' }, ['total'])])),
    'compatible',
  ],
  [
    'a property removed (extra properties pass)',
    gen(['order'], args([obj({ id: 'string', total: 'number' })])),
    gen(['order'], args([obj({ id: 'string' })])),
    'compatible',
  ],
  [
    'a type narrowed deep inside arrays of objects',
    gen(['order'], args([obj({ items: { array: obj({ qty: 'number', sku: 'string' }) } })])),
    gen(['order'], args([obj({ items: { array: obj({ qty: { literal: [1, 2] }, sku: 'string' }) } })])),
    'order.items[].qty: type narrowed from number to 1 | 2',
  ],
  [
    'a union of objects loses a member',
    gen(['event'], args([{ union: [obj({ kind: { literal: ['a'] } }), obj({ kind: { literal: ['b'] } })] }])),
    gen(['event'], args([obj({ kind: { literal: ['a'] } })])),
    "event.kind: 'b' is no longer one of the values (now 'a')",
  ],
  [
    'an array widened to a union element',
    gen(['tags'], args([{ array: 'string' }])),
    gen(['tags'], args([{ array: { union: ['string', 'number'] } }])),
    'compatible',
  ],
  [
    'an array narrowed to a tuple',
    gen(['pair'], args([{ array: 'string' }])),
    gen(['pair'], args([{ tuple: ['string', 'string'], min: 2 }])),
    'pair: type narrowed from string[] to [string, string]',
  ],
  [
    'a tuple element made optional',
    gen(['pair'], args([{ tuple: ['string', 'number'], min: 2 }])),
    gen(['pair'], args([{ tuple: ['string', { union: ['null', 'number'] }], min: 1 }])),
    'compatible',
  ],
  [
    'a tuple element made required',
    gen(['pair'], args([{ tuple: ['string', { union: ['null', 'number'] }], min: 1 }])),
    gen(['pair'], args([{ tuple: ['string', { union: ['null', 'number'] }], min: 2 }])),
    'pair[1]: required where it was optional or absent',
  ],
  [
    'a tuple to an array',
    gen(['pair'], args([{ tuple: ['string', 'string'], min: 2 }])),
    gen(['pair'], args([{ array: 'string' }])),
    'compatible',
  ],
  [
    'a record narrowed',
    gen(['counts'], args([{ record: { union: ['null', 'number'] } }])),
    gen(['counts'], args([{ record: 'number' }])),
    'counts[key]: type narrowed from null to number',
  ],
  [
    'rest elements narrowed',
    gen(['id', '...tags'], args(['string'], 1, { union: ['number', 'string'] })),
    gen(['id', '...tags'], args(['string'], 1, 'string')),
    'tags: type narrowed from number to string',
  ],
  [
    'a rest parameter removed',
    gen(['id', '...tags'], args(['string'], 1, 'string')),
    gen(['id'], args(['string'])),
    "parameter 'tags' removed (old jobs carry it)",
  ],
  [
    'a recursive type narrowed (named shapes)',
    gen(['tree'], args([{ ref: 'Tree' }]), {
      Tree: obj({ children: { array: { ref: 'Tree' } }, label: 'string' }),
    }),
    gen(['tree'], args([{ ref: 'Tree' }]), {
      Tree: obj({ children: { array: { ref: 'Tree' } }, label: { literal: ['x'] } }),
    }),
    "tree.label: type narrowed from string to 'x'",
  ],
  [
    'a recursive type unchanged',
    gen(['tree'], args([{ ref: 'Tree' }]), {
      Tree: obj({ children: { array: { ref: 'Tree' } }, label: 'string' }),
    }),
    gen(['tree'], args([{ ref: 'Node' }]), {
      Node: obj({ children: { array: { ref: 'Node' } }, label: 'string' }),
    }),
    'compatible',
  ],
  [
    'a union of argument lists loses one',
    { args: { union: [args(['string']), args(['string', 'number'])] }, params: ['...call'], shapes: {} },
    { args: args(['string']), params: ['...call'], shapes: {} },
    "parameter 'call' removed (old jobs carry it)",
  ],
  [
    'a string narrowed to a template literal',
    gen(['id'], args(['string'])),
    gen(['id'], args([ORDER_ID])),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal type's text
    'id: type narrowed from string to `order-${number}`',
  ],
  [
    'a template literal widened to a string, or a literal into the template',
    gen(['id', 'kind'], args([ORDER_ID, { literal: ['order-1'] }])),
    gen(['id', 'kind'], args(['string', ORDER_ID])),
    'compatible',
  ],
  [
    'a template-keyed record made to check every key',
    gen(['headers'], args([{ record: 'number', keys: X_KEYS }])),
    gen(['headers'], args([{ record: 'number' }])),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal type's text
    'headers[key]: keys beyond `x-${string}` are now checked (now every key)',
  ],
  [
    'a record made template-keyed, with a named property outside the template',
    gen(['headers'], args([{ record: 'number' }])),
    gen(['headers'], args([{ object: { id: 'string' }, optional: ['id'], index: 'number', keys: X_KEYS }])),
    'headers.id: type narrowed from number to string',
  ],
  [
    'a template-keyed object whose other keys change type',
    gen(['m'], args([{ object: { other: 'string' }, optional: ['other'], index: 'number', keys: X_KEYS }])),
    gen(['m'], args([{ record: 'number', keys: X_KEYS }])),
    'compatible',
  ],
];

describe('the compatibility of old jobs with a changed perform', () => {
  for (const [name, old, next, verdict] of CASES) {
    it(`${name}: ${verdict}`, () => {
      const result = classifyChange(old, next);
      expect(result.compatible ? 'compatible' : result.change).toBe(verdict);
    });
  }
});
