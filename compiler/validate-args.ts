/**
 * The argument validators inside a generated registry. esbuild bundles this file into `dist/registry.js`, so it
 * imports nothing at run time. `argsValidator(shape, table)` compiles a shape into a function once:
 *  1. check the number of arguments against the tuple's `min`, length and rest;
 *  2. check each argument against its shape, depth first;
 *  3. return undefined when all fit, else the first failing path and why: `args[1].range.from: expected string, got number`;
 *  4. a union of argument lists (a rest parameter's union of tuples) passes when one list does.
 * In a union of objects, a failure is reported inside the member its discriminant selects, else the one that names
 * the most of the value's keys; with no such member, the message lists the members' properties.
 * Extra object properties are accepted (a newer deploy may add fields); everything else must match exactly.
 */
import type { ArgsShape, Literal, PatternShape, Shape, ShapeTable, TupleShape } from './shape.js';

type Check = (value: unknown, path: string) => string | undefined;

export function argsValidator(
  shape: ArgsShape,
  table: ShapeTable = {},
): (args: readonly unknown[]) => string | undefined {
  if ('union' in shape) return argsUnionValidator(shape.union, table);
  const compiler = new ShapeCompiler(table);
  const elements = shape.tuple.map((element) => compiler.compile(element));
  const rest = shape.rest === undefined ? undefined : compiler.compile(shape.rest);
  const arity = describeArity(shape.min, shape.tuple.length, rest !== undefined);
  return (args) => {
    if (!Array.isArray(args)) return `args: expected an array of arguments, got ${kindOf(args)}`;
    if (args.length < shape.min || (rest === undefined && args.length > elements.length)) {
      return `args: expected ${arity}, got ${args.length}`;
    }
    for (let i = 0; i < args.length; i++) {
      const check = elements[i] ?? rest!;
      const failure = check(args[i], `args[${i}]`);
      if (failure !== undefined) return failure;
    }
    return undefined;
  };
}

/**
 * `...args: [string] | [string, number]`: the arguments fit one of the lists. When they fit none, the failure of
 * the one list whose length fits them, else the lengths the lists take.
 */
function argsUnionValidator(
  lists: readonly TupleShape[],
  table: ShapeTable,
): (args: readonly unknown[]) => string | undefined {
  const checks = lists.map((list) => ({ list, check: argsValidator(list, table) }));
  const arities = lists.map((list) => describeArity(list.min, list.tuple.length, list.rest !== undefined));
  return (args) => {
    if (!Array.isArray(args)) return `args: expected an array of arguments, got ${kindOf(args)}`;
    const failures = checks.map(({ list, check }) => ({ list, failure: check(args) }));
    if (failures.some(({ failure }) => failure === undefined)) return undefined;
    const fitting = failures.filter(
      ({ list }) => args.length >= list.min && (list.rest !== undefined || args.length <= list.tuple.length),
    );
    if (fitting.length > 0) return fitting[0]!.failure;
    return `args: expected ${[...new Set(arities)].join(' or ')}, got ${args.length}`;
  };
}

function describeArity(min: number, max: number, rest: boolean): string {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (rest) return `at least ${plural(min)}`;
  return min === max ? plural(min) : `${min} to ${plural(max)}`;
}

class ShapeCompiler {
  private readonly named = new Map<string, Check>();

  constructor(private readonly table: ShapeTable) {}

  compile(shape: Shape): Check {
    if (typeof shape === 'string') return primitive(shape);
    if ('literal' in shape) return literal(shape.literal);
    if ('pattern' in shape) return pattern(shape);
    if ('array' in shape) return this.array(shape.array);
    if ('tuple' in shape) return this.tuple(shape);
    if ('record' in shape) return this.object({}, [], shape.record, shape.keys);
    if ('object' in shape) return this.object(shape.object, shape.optional ?? [], shape.index, shape.keys);
    if ('union' in shape) return this.union(shape.union);
    return this.ref(shape.ref);
  }

  private ref(name: string): Check {
    const known = this.named.get(name);
    if (known) return known;
    let compiled: Check | undefined;
    const check: Check = (value, path) => {
      compiled ??= this.compile(this.table[name] ?? missingRef(name));
      return compiled(value, path);
    };
    this.named.set(name, check);
    return check;
  }

  private array(element: Shape): Check {
    const each = this.compile(element);
    return (value, path) => {
      if (!Array.isArray(value)) return mismatch('array', value, path);
      for (let i = 0; i < value.length; i++) {
        const failure = each(value[i], `${path}[${i}]`);
        if (failure !== undefined) return failure;
      }
      return undefined;
    };
  }

  private tuple(shape: TupleShape): Check {
    const elements = shape.tuple.map((element) => this.compile(element));
    const rest = shape.rest === undefined ? undefined : this.compile(shape.rest);
    const expected = `array of ${describeArity(shape.min, elements.length, rest !== undefined).replace(/arguments?/, 'elements')}`;
    return (value, path) => {
      if (!Array.isArray(value)) return mismatch(expected, value, path);
      if (value.length < shape.min || (rest === undefined && value.length > elements.length)) {
        return `${path}: expected ${expected}, got ${value.length}`;
      }
      for (let i = 0; i < value.length; i++) {
        const failure = (elements[i] ?? rest!)(value[i], `${path}[${i}]`);
        if (failure !== undefined) return failure;
      }
      return undefined;
    };
  }

  private object(
    properties: Readonly<Record<string, Shape>>,
    optional: readonly string[],
    index?: Shape,
    keys?: PatternShape,
  ): Check {
    const maybeAbsent = new Set(optional);
    const checks = Object.entries(properties).map(([key, shape]) => ({
      key,
      check: this.compile(shape),
      required: !maybeAbsent.has(key),
      segment: propertySegment(key),
    }));
    const eachValue = index === undefined ? undefined : this.compile(index);
    const keyPattern = keys === undefined ? undefined : new RegExp(keys.pattern);
    return (value, path) => {
      if (!isPlainObject(value)) return mismatch('object', value, path);
      for (const { key, check, required, segment } of checks) {
        if (!Object.hasOwn(value, key)) {
          if (required) return `${path}${segment}: missing`;
          continue;
        }
        const failure = check(value[key], `${path}${segment}`);
        if (failure !== undefined) return failure;
      }
      if (eachValue) {
        for (const key of Object.keys(value)) {
          if (Object.hasOwn(properties, key) || (keyPattern && !keyPattern.test(key))) continue;
          const failure = eachValue(value[key], `${path}${propertySegment(key)}`);
          if (failure !== undefined) return failure;
        }
      }
      return undefined;
    };
  }

  private union(members: readonly Shape[]): Check {
    const checks = members.map((member) => ({ member, check: this.compile(member) }));
    const expected = members.map((member) => describe(member)).join(' | ');
    return (value, path) => {
      const failures: { member: Shape; failure: string }[] = [];
      for (const { member, check } of checks) {
        const failure = check(value, path);
        if (failure === undefined) return undefined;
        failures.push({ member, failure });
      }
      // Report inside the one container member of the value's own kind, or the one its literal fields select.
      const sameKind = failures.filter(({ member }) => this.accepts(member, kindOf(value)));
      if (sameKind.length === 1 && isContainer(sameKind[0]!.member)) return sameKind[0]!.failure;
      if (sameKind.length > 1 && isPlainObject(value)) {
        const chosen = pickByDiscriminant(sameKind, value);
        if (chosen) return chosen.failure;
        const discriminant = commonDiscriminant(sameKind.map(({ member }) => member));
        if (discriminant) {
          const [key, values] = discriminant;
          return literal(values)(value[key], `${path}${propertySegment(key)}`);
        }
        const closest = this.pickByKeys(sameKind, value);
        if (closest) return closest.failure;
      }
      const showLiteral = members.some(
        (member) => typeof member === 'object' && ('literal' in member || 'pattern' in member),
      );
      if (showLiteral && ['string', 'number', 'boolean'].includes(typeof value)) {
        return `${path}: expected ${expected}, got ${gotLiteral(value as Literal)}`;
      }
      return mismatch(expected, value, path);
    };
  }

  /** Among object members, the one that names the most of the value's keys, when one names more than the rest. */
  private pickByKeys(
    candidates: { member: Shape; failure: string }[],
    value: Record<string, unknown>,
  ): { member: Shape; failure: string } | undefined {
    const scored = candidates.map((candidate) => {
      const shape = this.resolve(candidate.member);
      const named = typeof shape === 'object' && 'object' in shape ? Object.keys(shape.object) : [];
      return { candidate, score: named.filter((key) => Object.hasOwn(value, key)).length };
    });
    const best = Math.max(...scored.map(({ score }) => score));
    const top = scored.filter(({ score }) => score === best);
    return best > 0 && top.length === 1 ? top[0]!.candidate : undefined;
  }

  private resolve(shape: Shape): Shape | undefined {
    let resolved: Shape | undefined = shape;
    for (let hops = 0; resolved && typeof resolved === 'object' && 'ref' in resolved && hops < 8; hops++) {
      resolved = this.table[resolved.ref];
    }
    return resolved;
  }

  private accepts(shape: Shape, kind: string): boolean {
    if (typeof shape === 'string') return shape === kind;
    if ('literal' in shape) return shape.literal.some((value) => typeof value === kind);
    if ('pattern' in shape) return kind === 'string';
    if ('array' in shape || 'tuple' in shape) return kind === 'array';
    if ('object' in shape || 'record' in shape) return kind === 'object';
    if ('union' in shape) return shape.union.some((member) => this.accepts(member, kind));
    const target = this.table[shape.ref];
    return (
      target !== undefined && typeof target === 'object' && !('ref' in target) && this.accepts(target, kind)
    );
  }
}

/** Among object members, the one whose literal-typed properties all equal the value's (a discriminated union). */
function pickByDiscriminant(
  candidates: { member: Shape; failure: string }[],
  value: unknown,
): { member: Shape; failure: string } | undefined {
  if (!isPlainObject(value)) return undefined;
  const matching = candidates.filter(({ member }) => {
    if (typeof member !== 'object' || !('object' in member)) return false;
    const literals = Object.entries(member.object).filter(
      (entry): entry is [string, { literal: readonly Literal[] }] =>
        typeof entry[1] === 'object' && 'literal' in entry[1],
    );
    return (
      literals.length > 0 && literals.every(([key, shape]) => shape.literal.includes(value[key] as Literal))
    );
  });
  return matching.length === 1 ? matching[0] : undefined;
}

/** A key whose value is a literal in every object member: `kind` in `{ kind: 'a', … } | { kind: 'b', … }`. */
function commonDiscriminant(members: readonly Shape[]): [string, Literal[]] | undefined {
  const objects = members.filter((member) => typeof member === 'object' && 'object' in member) as {
    object: Readonly<Record<string, Shape>>;
  }[];
  if (objects.length !== members.length) return undefined;
  for (const key of Object.keys(objects[0]?.object ?? {})) {
    const values: Literal[] = [];
    for (const { object } of objects) {
      const shape = object[key];
      if (typeof shape !== 'object' || !('literal' in shape)) break;
      values.push(...shape.literal);
    }
    if (values.length >= objects.length) return [key, values];
  }
  return undefined;
}

function isContainer(shape: Shape): boolean {
  return typeof shape === 'object' && !('literal' in shape) && !('pattern' in shape) && !('union' in shape);
}

function primitive(kind: 'string' | 'number' | 'boolean' | 'null'): Check {
  if (kind === 'null') return (value, path) => (value === null ? undefined : mismatch('null', value, path));
  if (kind === 'number') {
    return (value, path) =>
      typeof value === 'number' && Number.isFinite(value) ? undefined : mismatch('number', value, path);
  }
  return (value, path) => (typeof value === kind ? undefined : mismatch(kind, value, path));
}

/** A string a template literal type allows: `order-${number}`. */
function pattern(shape: PatternShape): Check {
  const matcher = new RegExp(shape.pattern);
  return (value, path) => {
    if (typeof value === 'string' && matcher.test(value)) return undefined;
    const got = typeof value === 'string' ? showValue(value) : gotText(value);
    return value === undefined
      ? `${path}: missing (expected ${shape.like})`
      : `${path}: expected ${shape.like}, got ${got}`;
  };
}

function literal(values: readonly Literal[]): Check {
  const allowed = new Set<unknown>(values);
  const expected = values.map(showValue).join(' | ');
  return (value, path) => {
    if (allowed.has(value)) return undefined;
    const got =
      typeof value === 'object' || value === undefined ? kindOf(value) : gotLiteral(value as Literal);
    return `${path}: expected ${expected}, got ${got}`;
  };
}

function describe(shape: Shape): string {
  if (typeof shape === 'string') return shape;
  if ('literal' in shape) return shape.literal.map(showValue).join(' | ');
  if ('pattern' in shape) return shape.like;
  if ('array' in shape || 'tuple' in shape) return 'array';
  if ('record' in shape) return 'object';
  if ('object' in shape) return describeObject(shape);
  if ('union' in shape) return shape.union.map(describe).join(' | ');
  return shape.ref;
}

/** An object member of a union by its properties (`{ id: number; name?: string }`), so two members differ. */
function describeObject(shape: Extract<Shape, { object: unknown }>): string {
  const entries = Object.entries(shape.object);
  if (entries.length === 0) return 'object';
  const optional = new Set(shape.optional ?? []);
  const fields = entries.map(([key, field]) => {
    const kind = typeof field === 'object' && 'object' in field ? 'object' : describe(field);
    return `${IDENTIFIER.test(key) ? key : JSON.stringify(key)}${optional.has(key) ? '?' : ''}: ${kind}`;
  });
  const text = `{ ${fields.join('; ')} }`;
  return text.length > 80 ? `${text.slice(0, 74)}... }` : text;
}

function mismatch(expected: string, value: unknown, path: string): string {
  return value === undefined
    ? `${path}: missing (expected ${expected})`
    : `${path}: expected ${expected}, got ${gotText(value)}`;
}

/** What a mismatch got: its kind, or what it is for numbers JSON cannot write (`1e400` parses to Infinity). */
function gotText(value: unknown): string {
  if (typeof value !== 'number' || Number.isFinite(value)) return kindOf(value);
  if (Number.isNaN(value)) return 'NaN';
  return `${value} (a number too large for JSON)`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function gotLiteral(value: Literal): string {
  return typeof value === 'number' && !Number.isFinite(value) ? gotText(value) : showValue(value);
}

function showValue(value: Literal): string {
  const text = typeof value === 'string' ? `'${value}'` : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function propertySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function missingRef(name: string): never {
  throw new Error(`sidepunch registry: shape table has no "${name}" (regenerate with sidepunch-gen)`);
}
