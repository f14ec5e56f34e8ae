/**
 * Whether every value of one shape fits another, as the registry's validators check them (validate-args.ts): the
 * question a deploy asks of a job pushed with the old shape. Returns undefined when all fit, else the first path
 * where some old value no longer does and why:
 *  1. a union on the old side fits when each of its members does; on the new side, when one member takes it;
 *  2. a literal fits its primitive, a literal list holding it or a template it matches; a primitive fits only
 *     itself, a template (`pattern`) itself or `string`;
 *  3. arrays, tuples, records and objects recurse, with the path growing as the validators print it;
 *  4. an object may gain or lose optional properties (extra properties are accepted), not gain required ones;
 *     an index signature checked only at keys matching a template (`keys`) may not come to check other keys;
 *  5. named shapes (`ref`) resolve in their generation's table; a pair met again while being compared fits.
 */
import type { Literal, PatternShape, Shape, ShapeTable, TupleShape } from '../shape.js';

export interface Tables {
  readonly old: ShapeTable;
  readonly new: ShapeTable;
}

export function fits(old: Shape, next: Shape, path: string, tables: Tables): string | undefined {
  return new Fits(tables).check(old, next, path);
}

/** The first reason the old tuple's values do not all fit the new one (positions named by `nameOf`). */
export function tupleFits(
  old: TupleShape,
  next: TupleShape,
  nameOf: (index: number) => string,
  tables: Tables,
): string | undefined {
  return new Fits(tables).tuple(old, next, nameOf);
}

class Fits {
  private readonly seen = new Set<string>();

  constructor(private readonly tables: Tables) {}

  check(old: Shape, next: Shape, path: string): string | undefined {
    if (typeof old === 'object' && 'ref' in old) {
      const key = `${old.ref}\0${JSON.stringify(next)}`;
      if (this.seen.has(key)) return undefined;
      this.seen.add(key);
      return this.check(this.resolve(old.ref, this.tables.old), next, path);
    }
    if (typeof next === 'object' && 'ref' in next) {
      const key = `${JSON.stringify(old)}\0${next.ref}`;
      if (this.seen.has(key)) return undefined;
      this.seen.add(key);
      return this.check(old, this.resolve(next.ref, this.tables.new), path);
    }
    if (typeof old === 'object' && 'union' in old) {
      for (const member of old.union) {
        const failure = this.check(member, next, path);
        if (failure !== undefined) return failure;
      }
      return undefined;
    }
    if (typeof old === 'object' && 'literal' in old && old.literal.length !== 1) {
      for (const value of old.literal) {
        const failure = this.check({ literal: [value] }, next, path);
        if (failure !== undefined) return failure;
      }
      return undefined;
    }
    if (typeof next === 'object' && 'union' in next) {
      const failures = next.union.map((member) => this.check(old, member, path));
      if (failures.some((failure) => failure === undefined)) return undefined;
      const sameKind = next.union.findIndex(
        (member) => kindOf(member, this.tables.new) === kindOf(old, this.tables.old),
      );
      return sameKind >= 0 ? failures[sameKind] : narrowed(path, old, next);
    }
    return this.single(old, next, path);
  }

  /** Neither side a union, a ref or a list of several literals. */
  private single(old: Shape, next: Shape, path: string): string | undefined {
    if (typeof old === 'string') return old === next ? undefined : narrowed(path, old, next);
    if ('literal' in old) {
      const value = old.literal[0]!;
      if (typeof next === 'string') return next === typeof value ? undefined : narrowed(path, old, next);
      if ('literal' in next) {
        return next.literal.includes(value)
          ? undefined
          : `${path}: ${printLiteral(value)} is no longer one of the values (now ${describe(next)})`;
      }
      if ('pattern' in next && typeof value === 'string' && new RegExp(next.pattern).test(value))
        return undefined;
      return narrowed(path, old, next);
    }
    if ('pattern' in old) {
      const kept =
        next === 'string' || (typeof next === 'object' && 'pattern' in next && next.pattern === old.pattern);
      return kept ? undefined : narrowed(path, old, next);
    }
    if (typeof next === 'string' || 'literal' in next || 'pattern' in next) return narrowed(path, old, next);
    if ('array' in old) {
      if ('array' in next) return this.check(old.array, next.array, `${path}[]`);
      if ('tuple' in next && next.min === 0 && next.rest !== undefined) {
        const every = [...next.tuple, next.rest];
        for (const [i, element] of every.entries()) {
          const failure = this.check(old.array, element, `${path}[${i < next.tuple.length ? i : ''}]`);
          if (failure !== undefined) return failure;
        }
        return undefined;
      }
      return narrowed(path, old, next);
    }
    if ('tuple' in old) {
      if ('tuple' in next) return this.tuple(old, next, (i) => `${path}[${i}]`);
      if ('array' in next) {
        for (const [i, element] of old.tuple.entries()) {
          const failure = this.check(element, next.array, `${path}[${i}]`);
          if (failure !== undefined) return failure;
        }
        return old.rest === undefined ? undefined : this.check(old.rest, next.array, `${path}[]`);
      }
      return narrowed(path, old, next);
    }
    if ('record' in old) {
      if (keysNarrowed(old.keys, next)) return moreKeysChecked(path, old.keys!, next);
      if ('record' in next) return this.check(old.record, next.record, `${path}[key]`);
      if ('object' in next && next.index !== undefined && old.keys === undefined) {
        const required = Object.keys(next.object).find((key) => !(next.optional ?? []).includes(key));
        if (required !== undefined) return `${path}.${required}: required property added`;
        for (const [key, shape] of Object.entries(next.object)) {
          const failure = this.check(old.record, shape, `${path}.${key}`);
          if (failure !== undefined) return failure;
        }
        return this.check(old.record, next.index, `${path}[key]`);
      }
      return narrowed(path, old, next);
    }
    if ('object' in old) {
      if ('record' in next) {
        for (const [key, shape] of Object.entries(old.object)) {
          if (!keyChecked(next, key)) continue;
          const failure = this.check(shape, next.record, `${path}.${key}`);
          if (failure !== undefined) return failure;
        }
        if (old.index === undefined) return undefined;
        if (keysNarrowed(old.keys, next)) return moreKeysChecked(path, old.keys!, next);
        return this.check(old.index, next.record, `${path}[key]`);
      }
      if ('object' in next) return this.object(old, next, path);
      return narrowed(path, old, next);
    }
    return narrowed(path, old, next);
  }

  tuple(old: TupleShape, next: TupleShape, nameOf: (index: number) => string): string | undefined {
    if (next.min > old.min) return `${nameOf(old.min)}: required where it was optional or absent`;
    const oldMax = old.rest !== undefined ? Number.POSITIVE_INFINITY : old.tuple.length;
    const newMax = next.rest !== undefined ? Number.POSITIVE_INFINITY : next.tuple.length;
    if (newMax < oldMax) return `${nameOf(next.tuple.length)}: removed (old jobs may carry it)`;
    const length = Math.max(old.tuple.length, next.tuple.length);
    for (let i = 0; i < length; i++) {
      const before = old.tuple[i] ?? old.rest;
      const after = next.tuple[i] ?? next.rest;
      if (before === undefined) break;
      const failure = this.check(before, after!, nameOf(i));
      if (failure !== undefined) return failure;
    }
    if (old.rest !== undefined && next.rest !== undefined) {
      return this.check(old.rest, next.rest, nameOf(Math.max(old.tuple.length, next.tuple.length)));
    }
    return undefined;
  }

  private object(
    old: Extract<Shape, { object: unknown }>,
    next: Extract<Shape, { object: unknown }>,
    path: string,
  ): string | undefined {
    const oldOptional = new Set(old.optional ?? []);
    const newOptional = new Set(next.optional ?? []);
    for (const key of Object.keys(next.object)) {
      if (newOptional.has(key)) continue;
      if (!(key in old.object)) return `${path}.${key}: required property added`;
      if (oldOptional.has(key)) return `${path}.${key}: property made required`;
    }
    for (const [key, shape] of Object.entries(old.object)) {
      const target = next.object[key] ?? (keyChecked(next, key) ? next.index : undefined);
      if (target === undefined) continue; // extra properties are accepted
      const failure = this.check(shape, target, `${path}.${key}`);
      if (failure !== undefined) return failure;
    }
    if (old.index !== undefined) {
      if (next.index === undefined) {
        const named = Object.entries(next.object);
        if (named.length === 0) return undefined; // extra properties are accepted
      }
      for (const [key, shape] of Object.entries(next.object)) {
        if (key in old.object || !keyChecked(old, key)) continue;
        const failure = this.check(old.index, shape, `${path}.${key}`);
        if (failure !== undefined) return failure;
      }
      if (next.index !== undefined) {
        if (keysNarrowed(old.keys, next)) return moreKeysChecked(path, old.keys!, next);
        return this.check(old.index, next.index, `${path}[key]`);
      }
    }
    return undefined;
  }

  private resolve(name: string, table: ShapeTable): Shape {
    const shape = table[name];
    if (shape === undefined) throw new Error(`shape ${name} missing from its table`);
    return shape;
  }
}

type Keyed = { readonly keys?: PatternShape };

/** Whether an index signature checks this key: every key, or those its template matches. */
function keyChecked(shape: Keyed, key: string): boolean {
  return shape.keys === undefined || new RegExp(shape.keys.pattern).test(key);
}

/** An index that checked only keys matching `old` now checks other keys too (values old jobs never had checked). */
function keysNarrowed(old: PatternShape | undefined, next: Shape): boolean {
  if (old === undefined || typeof next !== 'object' || !('record' in next || 'object' in next)) return false;
  return next.keys?.pattern !== old.pattern;
}

function moreKeysChecked(path: string, old: PatternShape, next: Shape): string {
  const now =
    typeof next === 'object' && ('record' in next || 'object' in next) ? next.keys?.like : undefined;
  return `${path}[key]: keys beyond ${old.like} are now checked (now ${now ?? 'every key'})`;
}

function narrowed(path: string, old: Shape, next: Shape): string {
  return `${path}: type narrowed from ${describe(old)} to ${describe(next)}`;
}

type Kind = 'primitive' | 'array' | 'object' | 'other';

function kindOf(shape: Shape, table: ShapeTable): Kind {
  if (typeof shape === 'string' || 'literal' in shape || 'pattern' in shape) return 'primitive';
  if ('ref' in shape) return table[shape.ref] ? kindOf(table[shape.ref]!, {}) : 'other';
  if ('array' in shape || 'tuple' in shape) return 'array';
  if ('object' in shape || 'record' in shape) return 'object';
  return 'other';
}

/** A shape as a short type, for messages: `'a' | 'b'`, `string[]`, `{ id, items }`. */
export function describe(shape: Shape): string {
  if (typeof shape === 'string') return shape;
  if ('literal' in shape) return shape.literal.map(printLiteral).join(' | ');
  if ('pattern' in shape) return shape.like;
  if ('ref' in shape) return shape.ref;
  if ('array' in shape) {
    const inner = describe(shape.array);
    return /[ |]/.test(inner) ? `(${inner})[]` : `${inner}[]`;
  }
  if ('tuple' in shape) {
    const elements = shape.tuple.map((element, i) => `${describe(element)}${i >= shape.min ? '?' : ''}`);
    if (shape.rest !== undefined) elements.push(`...${describe({ array: shape.rest })}`);
    return `[${elements.join(', ')}]`;
  }
  if ('record' in shape) return `Record<${shape.keys?.like ?? 'string'}, ${describe(shape.record)}>`;
  if ('union' in shape) return shape.union.map(describe).join(' | ');
  const optional = new Set(shape.optional ?? []);
  const keys = Object.keys(shape.object).map((key) => (optional.has(key) ? `${key}?` : key));
  const index = shape.index !== undefined ? [`[key: ${shape.keys?.like ?? 'string'}]`] : [];
  return `{ ${[...keys, ...index].join(', ')} }`;
}

function printLiteral(value: Literal): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
