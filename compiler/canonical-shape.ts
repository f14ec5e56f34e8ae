/**
 * Shapes in an order that depends on the types alone. TypeScript orders a union's members by when the checker
 * first created each type, so the same `'plain' | 'html'` read after another worker's `'html' | 'plain'` came out
 * the other way round: one worker's validator changed with the others around it, and a run that re-analyzes one
 * worker (reuse.ts) could not equal a full one. Here:
 *  1. a literal list is sorted: strings (by UTF-16 code units), then numbers ascending, then false, true;
 *  2. a union's members are sorted by kind (null, string, number, literals, containers, boolean), containers by
 *     their printed shape;
 *  3. everything else is rebuilt as it is, recursively.
 */
import type { ArgsShape, Literal, Shape, ShapeTable, TupleShape } from './shape.js';

const RANK = { null: 0, string: 1, number: 2, literal: 3, container: 4, boolean: 5 } as const;

/** A worker's arguments: one list, or a union of lists (a rest parameter typed as a union of tuples). */
export function canonicalArgs(shape: ArgsShape): ArgsShape {
  return 'union' in shape
    ? { union: shape.union.map(canonicalTuple).sort(byPrintedShape) }
    : canonicalTuple(shape);
}

function canonicalTuple(shape: TupleShape): TupleShape {
  return canonicalShape(shape) as TupleShape;
}

function byPrintedShape(a: Shape, b: Shape): number {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export function canonicalTable(table: ShapeTable): ShapeTable {
  return Object.fromEntries(Object.entries(table).map(([name, shape]) => [name, canonicalShape(shape)]));
}

export function canonicalShape(shape: Shape): Shape {
  if (typeof shape === 'string' || 'ref' in shape) return shape;
  if ('literal' in shape) return { literal: [...shape.literal].sort(compareLiterals) };
  if ('pattern' in shape) return { pattern: shape.pattern, like: shape.like };
  if ('array' in shape) return { array: canonicalShape(shape.array) };
  if ('record' in shape) {
    return {
      record: canonicalShape(shape.record),
      ...(shape.keys !== undefined ? { keys: shape.keys } : {}),
    };
  }
  if ('tuple' in shape) {
    return {
      tuple: shape.tuple.map(canonicalShape),
      min: shape.min,
      ...(shape.rest !== undefined ? { rest: canonicalShape(shape.rest) } : {}),
    };
  }
  if ('union' in shape) {
    const members = shape.union.map(canonicalShape).map((member) => ({ member, key: sortKey(member) }));
    members.sort((a, b) => a.key[0] - b.key[0] || (a.key[1] < b.key[1] ? -1 : a.key[1] > b.key[1] ? 1 : 0));
    return { union: members.map(({ member }) => member) };
  }
  return {
    object: Object.fromEntries(
      Object.entries(shape.object).map(([key, value]) => [key, canonicalShape(value)]),
    ),
    ...(shape.optional !== undefined ? { optional: shape.optional } : {}),
    ...(shape.index !== undefined ? { index: canonicalShape(shape.index) } : {}),
    ...(shape.keys !== undefined ? { keys: shape.keys } : {}),
  };
}

function sortKey(shape: Shape): [number, string] {
  if (typeof shape === 'string') return [RANK[shape], ''];
  if ('literal' in shape || 'pattern' in shape) return [RANK.literal, JSON.stringify(shape)];
  return [RANK.container, JSON.stringify(shape)];
}

function compareLiterals(a: Literal, b: Literal): number {
  const kind = (value: Literal) => (typeof value === 'string' ? 0 : typeof value === 'number' ? 1 : 2);
  if (kind(a) !== kind(b)) return kind(a) - kind(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
