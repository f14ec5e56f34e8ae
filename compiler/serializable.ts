/**
 * The JSON rule: what Sidekiq's strict_args allows, proven on TypeScript types.
 *  1. primitives, literals, enums and template literals (a pattern: template-pattern.ts) map to their shape;
 *     `any`, `unknown`, unresolved names, `bigint`, `symbol`, functions, built-ins (Date, Map, …), classes with methods, accessors or #private fields (seen through
 *     mapped types by the members' declarations), `object`, type parameters and number or symbol keys (index
 *     signatures, and properties named by a number, which a tuple fits) are problems;
 *     a library type (`String`, `Iterable<T>`), also through a mapped type (`DeepReadonly<Date>`), is one
 *     problem, not one per member;
 *  2. unions, arrays, tuples, objects and string index signatures recurse, adding a path segment each level;
 *  3. `undefined` is allowed only where JSON drops it (object properties, optional parameters), never in arrays,
 *     and an optional tuple element must allow the `null` an explicit `undefined` becomes;
 *  4. a type met again while still being read is recursive: it becomes a named shape in the table (`{ ref }`),
 *     named for this analysis only (shape-names.ts gives the final names).
 * Results are memoized per type, so 500 workers sharing a domain model read it once.
 */
import { ts } from 'ts-morph';
import { Builtins } from './builtins.js';
import { Code } from './codes.js';
import {
  atDeclaration,
  combine,
  nest,
  ok,
  pendingOf,
  problem,
  type Reading,
  type Segment,
  unionOf,
} from './reading.js';
import type { PatternShape, Shape, ShapeTable } from './shape.js';
import { analysisName } from './shape-names.js';
import { templatePattern } from './template-pattern.js';

/** Far beyond hand-written nesting; it stops a generic type that grows at each level (`Deep<[T]>`). */
const MAX_DEPTH = 100;

export class JsonRule {
  private readonly builtins: Builtins;
  private readonly exactOptional: boolean;
  private readonly memo = new Map<ts.Type, Reading>();
  private readonly reading = new Map<ts.Type, { name?: string }>();
  private readonly table: Record<string, Shape> = {};
  private depth = 0;
  private named = 0;

  constructor(
    program: ts.Program,
    readonly checker: ts.TypeChecker,
  ) {
    this.builtins = new Builtins(program, checker);
    this.exactOptional = program.getCompilerOptions().exactOptionalPropertyTypes === true;
  }

  /** Named shapes that the readings' `ref`s point to. */
  get shapes(): ShapeTable {
    return this.table;
  }

  /** A value in an array, a tuple, or a required parameter: `undefined` is a problem. */
  readValue(type: ts.Type): Reading {
    const known = this.memo.get(type);
    if (known) return known;
    const inProgress = this.reading.get(type);
    if (inProgress) {
      inProgress.name ??= this.nameFor(type);
      return { shape: { ref: inProgress.name }, problems: [], pending: new Set([type]) };
    }
    if (this.depth >= MAX_DEPTH) return problem(Code.Unsupported, `${this.text(type)} (nested too deeply)`);
    this.reading.set(type, {});
    this.depth++;
    let result = this.classify(type);
    this.depth--;
    const { name } = this.reading.get(type)!;
    this.reading.delete(type);
    const pending = new Set(result.pending);
    pending.delete(type);
    if (name !== undefined && result.shape) {
      this.table[name] = result.shape;
      result = { shape: { ref: name }, problems: [], pending };
    } else {
      result = { ...result, pending };
    }
    if (pending.size === 0) this.memo.set(type, result);
    return result;
  }

  /**
   * A rest parameter: `T[]`, or a tuple (or a union of tuples) whose last optional element may be left out like
   * a trailing argument.
   */
  readRest(type: ts.Type): Reading {
    if (this.checker.isTupleType(type)) return this.readTuple(type as ts.TupleTypeReference, true);
    if (
      type.flags & ts.TypeFlags.Union &&
      (type as ts.UnionType).types.every((t) => this.checker.isTupleType(t))
    ) {
      const readings = (type as ts.UnionType).types.map((member) => this.readRest(member));
      const failed = combine(readings);
      if (failed) return failed;
      return { shape: { union: readings.map((r) => r.shape!) }, problems: [], pending: pendingOf(readings) };
    }
    return this.readValue(type);
  }

  /** An object property, an index signature's value or an optional parameter: `undefined` means "absent". */
  readMaybeAbsent(type: ts.Type): { reading: Reading; mayBeAbsent: boolean } {
    if (!(type.flags & ts.TypeFlags.Union)) {
      return isUndefined(type)
        ? { reading: this.readValue(type), mayBeAbsent: true }
        : { reading: this.readValue(type), mayBeAbsent: false };
    }
    const members = (type as ts.UnionType).types;
    const defined = members.filter((member) => !isUndefined(member));
    if (defined.length === members.length) return { reading: this.readValue(type), mayBeAbsent: false };
    if (defined.length === 0) return { reading: this.readValue(type), mayBeAbsent: true };
    return { reading: this.readUnion(defined), mayBeAbsent: true };
  }

  private classify(type: ts.Type): Reading {
    const flags = type.flags;
    if (flags & ts.TypeFlags.Any) {
      return (type as { intrinsicName?: string }).intrinsicName === 'error'
        ? problem(Code.Unresolved, 'a type')
        : problem(Code.Any, 'any');
    }
    if (flags & ts.TypeFlags.Unknown) return problem(Code.Unknown, 'unknown');
    if (flags & ts.TypeFlags.Never) return problem(Code.Unsupported, 'never');
    if (flags & (ts.TypeFlags.BigInt | ts.TypeFlags.BigIntLiteral))
      return problem(Code.BigInt, this.text(type));
    if (flags & ts.TypeFlags.ESSymbolLike) return problem(Code.Symbol, this.text(type));
    if (flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return problem(Code.Undefined, this.text(type));
    if (flags & ts.TypeFlags.Null) return ok('null');
    if (flags & ts.TypeFlags.Boolean) return ok('boolean');
    if (flags & ts.TypeFlags.BooleanLiteral) {
      return ok({ literal: [(type as { intrinsicName?: string }).intrinsicName === 'true'] });
    }
    if (flags & ts.TypeFlags.StringLiteral) return ok({ literal: [(type as ts.StringLiteralType).value] });
    if (flags & ts.TypeFlags.NumberLiteral) return ok({ literal: [(type as ts.NumberLiteralType).value] });
    if (flags & ts.TypeFlags.TemplateLiteral) {
      return ok(templatePattern(type as ts.TemplateLiteralType, this.checker));
    }
    // `Uppercase<string>` and the other intrinsic mappings are checked as strings (docs/sidepunch-gen.md).
    if (flags & (ts.TypeFlags.String | ts.TypeFlags.StringMapping)) return ok('string');
    if (flags & (ts.TypeFlags.Number | ts.TypeFlags.Enum)) return ok('number');
    if (flags & ts.TypeFlags.Union) return this.readUnion((type as ts.UnionType).types, type);
    if (flags & ts.TypeFlags.Intersection) return this.readIntersection(type as ts.IntersectionType);
    if (flags & ts.TypeFlags.NonPrimitive) return problem(Code.OpenObject, 'object');
    if (flags & (ts.TypeFlags.TypeParameter | ts.TypeFlags.Index | ts.TypeFlags.IndexedAccess)) {
      return problem(Code.TypeParameter, this.text(type));
    }
    if (flags & (ts.TypeFlags.Conditional | ts.TypeFlags.Substitution)) {
      return problem(Code.TypeParameter, this.text(type));
    }
    if (flags & ts.TypeFlags.Object) return this.readObject(type as ts.ObjectType);
    return problem(Code.Unsupported, this.text(type));
  }

  private readUnion(members: readonly ts.Type[], union?: ts.Type): Reading {
    const defined = members.filter((member) => !isUndefined(member));
    const readings = defined
      .filter((member) => !this.isRedundant(member, members))
      .map((member) => this.readValue(member));
    if (defined.length < members.length) {
      const text = union ? this.text(union) : 'undefined';
      readings.push(problem(Code.Undefined, text));
    }
    const failed = combine(readings);
    if (failed) return failed;
    return {
      shape: unionOf(readings.map((reading) => reading.shape!)),
      problems: [],
      pending: pendingOf(readings),
    };
  }

  /**
   * `A & B` beside `A` in a union adds no value when `B` is JSON-safe too (`A | (A & B)` is `A`). TypeScript leaves
   * such members when it distributes an intersection of unions: type-fest's `JsonObject`, `{ [k: string]:
   * JsonValue } & { [k: string]?: JsonValue | undefined }`, has values of `JsonValue & (JsonValue | undefined)`,
   * which lists `string & JsonValue[]` and the like beside `string` and `JsonValue[]`. With a `B` that is not
   * (`{ at: Date }`), `perform` could narrow to `A & B` and rely on it, so the member is read and reported.
   */
  private isRedundant(member: ts.Type, members: readonly ts.Type[]): boolean {
    if (!(member.flags & ts.TypeFlags.Intersection)) return false;
    const parts = (member as ts.IntersectionType).types;
    return (
      parts.some((part) => members.includes(part)) &&
      parts.every((part) => members.includes(part) || this.readValue(part).problems.length === 0)
    );
  }

  /** `string & { __brand: 'UserId' }` is a string on the wire; other intersections are read as one object. */
  private readIntersection(type: ts.IntersectionType): Reading {
    for (const member of type.types) {
      if (this.checker.isArrayType(member) || this.checker.isTupleType(member)) {
        return problem(
          Code.Unsupported,
          `${this.text(type)} (an array with properties: JSON keeps its elements only)`,
        );
      }
      const builtin = this.builtins.codeOf(member);
      if (builtin !== undefined) return problem(builtin, this.text(member));
    }
    const primitive = type.types.find(
      (member) =>
        member.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike),
    );
    if (primitive) return this.readValue(primitive);
    return this.readObject(type);
  }

  private readObject(type: ts.Type): Reading {
    if (this.checker.isTupleType(type)) return this.readTuple(type as ts.TupleTypeReference, false);
    if (this.checker.isArrayType(type)) {
      const element = this.checker.getTypeArguments(type as ts.TypeReference)[0]!;
      return nest(this.readValue(element), { kind: 'element' }, (shape) => ({ array: shape }));
    }
    const builtin = this.builtins.codeOf(type);
    if (builtin !== undefined) return problem(builtin, this.text(type));
    if (
      this.checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0 ||
      this.checker.getSignaturesOfType(type, ts.SignatureKind.Construct).length > 0
    ) {
      return problem(Code.Function, this.text(type));
    }
    const properties = this.checker.getPropertiesOfType(type);
    if (properties.some((property) => this.isToJsonMethod(property))) {
      return problem(Code.ToJson, this.text(type));
    }
    const privateField = properties.find(isPrivateField);
    if (privateField) return problem(Code.PrivateField, this.classText(type, privateField));
    // Through `Readonly<Person>` or `Person & { … }` the members are mapped, so look at their declarations. An
    // optional one (`Partial<Person>`) may be absent, as it will be.
    const classMember = properties.find(
      (property) => isClassMethodOrAccessor(property) && !(property.flags & ts.SymbolFlags.Optional),
    );
    if (classMember) return problem(Code.ClassInstance, this.classText(type, classMember));
    const indexInfos = this.checker.getIndexInfosOfType(type);
    if (properties.length === 0 && indexInfos.length === 0) return problem(Code.OpenObject, this.text(type));
    const reading = this.readProperties(properties, indexInfos);
    // A library type (`URL`, `Iterable<T>`) is one mistake, not one per member; `NodeJS.Dict<T>` is plain data,
    // and `NodeJS.Dict<Date>` is reported at its values, which are the caller's.
    const ownMembers = reading.problems.some((p) => p.path[0]?.kind !== 'key');
    if (ownMembers && this.builtins.isLibraryType(type)) return problem(Code.LibraryType, this.text(type));
    // A package's type is one mistake however many of its members JSON cannot carry (ioredis's ChainableCommander
    // gave 374 diagnostics): the first, with a count of the rest. The user's own types list each, where they are.
    const [first, ...others] = reading.problems;
    const from = first && others.length > 0 ? this.builtins.packageOf(type) : undefined;
    if (first && from) {
      const more = `${this.text(type)}, from the package ${from}, has ${others.length} more member${others.length === 1 ? '' : 's'} JSON cannot carry`;
      return { problems: [{ ...first, more }], pending: reading.pending };
    }
    return reading;
  }

  private readProperties(properties: readonly ts.Symbol[], indexInfos: readonly ts.IndexInfo[]): Reading {
    const readings: Reading[] = [];
    const object: Record<string, Shape> = {};
    const optional: string[] = [];
    let index: Shape | undefined;
    // Template-keyed signatures alone check only the keys they match; a `string` one checks every key.
    const keyPatterns: PatternShape[] = [];
    let everyKey = false;
    for (const info of indexInfos) {
      if (info.type.flags & ts.TypeFlags.Never) continue; // Record<string, never>: an empty object
      if (!(info.keyType.flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral))) {
        readings.push(problem(Code.NonStringKey, this.text(info.keyType)));
        continue;
      }
      if (info.keyType.flags & ts.TypeFlags.TemplateLiteral) {
        keyPatterns.push(templatePattern(info.keyType as ts.TemplateLiteralType, this.checker));
      } else everyKey = true;
      const { reading } = this.readMaybeAbsent(info.type);
      readings.push(nest(reading, { kind: 'key' }, (shape) => shape));
      if (reading.shape) index = index ? unionOf([index, reading.shape]) : reading.shape;
    }
    const keys = everyKey || keyPatterns.length === 0 ? undefined : anyOf(keyPatterns);
    // `{ 0: string; 1: number }` (or `Record<0 | 1, T>`): a tuple fits it at the call site and arrives as an array.
    const numbered = properties.find((property) => isNumberName(property.getName()));
    if (numbered) {
      const declaration = numbered.valueDeclaration ?? numbered.declarations?.[0];
      const reading = problem(Code.NonStringKey, 'number');
      readings.push(
        declaration
          ? { ...reading, problems: reading.problems.map((p) => ({ ...p, declaration })) }
          : reading,
      );
    }
    for (const property of properties) {
      const name = property.getName();
      const segment: Segment = { kind: 'property', name };
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (isSymbolKeyed(property)) {
        const written = declaration && ts.getNameOfDeclaration(declaration)?.getText();
        const symbolSegment: Segment = { kind: 'property', name: written ?? `[${name}]` };
        readings.push(atDeclaration(problem(Code.NonStringKey, 'symbol'), symbolSegment, declaration));
        continue;
      }
      if (isNumberName(name)) continue; // reported once for the object, above
      if (property.flags & ts.SymbolFlags.Method) {
        readings.push(
          atDeclaration(
            problem(Code.Function, this.text(this.checker.getTypeOfSymbol(property))),
            segment,
            declaration,
          ),
        );
        continue;
      }
      const type = this.checker.getTypeOfSymbol(property);
      if (isAlwaysUndefined(type)) continue; // `gone?: undefined`: always absent, as JSON writes it
      const { reading, mayBeAbsent } = this.readMaybeAbsent(type);
      readings.push(atDeclaration(reading, segment, declaration));
      if (!reading.shape) continue;
      object[name] = reading.shape;
      if (mayBeAbsent || property.flags & ts.SymbolFlags.Optional) optional.push(name);
    }
    const failed = combine(readings);
    if (failed) return failed;
    const pending = pendingOf(readings);
    const keyed = index && keys ? { keys } : {};
    if (Object.keys(object).length === 0 && index) {
      return { shape: { record: index, ...keyed }, problems: [], pending };
    }
    const shape: Shape = {
      object,
      ...(optional.length > 0 ? { optional } : {}),
      ...(index ? { index, ...keyed } : {}),
    };
    return { shape, problems: [], pending };
  }

  /** `toJSON()` changes what JSON.stringify writes; a data property that happens to be named `toJSON` does not. */
  private isToJsonMethod(property: ts.Symbol): boolean {
    if (property.getName() !== 'toJSON') return false;
    if (property.flags & ts.SymbolFlags.Method) return true;
    const type = this.checker.getNonNullableType(this.checker.getTypeOfSymbol(property));
    return this.checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0;
  }

  /** The class a member comes from, for the message: `Person` for `Readonly<Person>`. */
  private classText(type: ts.Type, member: ts.Symbol): string {
    if (isClassInstance(type)) return this.text(type);
    const owner = (member.valueDeclaration ?? member.declarations?.[0])?.parent;
    return owner && ts.isClassLike(owner) && owner.name ? owner.name.text : this.text(type);
  }

  /**
   * A tuple's positions. An optional element is "may be absent", but an explicit `undefined` in it arrives as
   * `null` (JSON has no undefined in arrays): allowed when its type has `null` anyway, when
   * exactOptionalPropertyTypes forbids writing `undefined` there, or, for a rest parameter's tuple (`perform`'s
   * own arguments), in its last position, since the stubs drop trailing undefined arguments.
   */
  private readTuple(type: ts.TupleTypeReference, arguments_: boolean): Reading {
    const target = type.target;
    const elements = this.checker.getTypeArguments(type);
    const shapes: Shape[] = [];
    const readings: Reading[] = [];
    let min = 0;
    let rest: Shape | undefined;
    for (const [index, element] of elements.entries()) {
      const flags = target.elementFlags[index]!;
      if (flags & ts.ElementFlags.Variadic) return problem(Code.TypeParameter, this.text(element));
      if (rest !== undefined)
        return problem(Code.Unsupported, `${this.text(type)} (elements after a rest element)`);
      const segment: Segment =
        flags & ts.ElementFlags.Rest ? { kind: 'element' } : { kind: 'position', index };
      const trailing = arguments_ && index === elements.length - 1;
      if (flags & ts.ElementFlags.Optional && !trailing && !this.exactOptional && !includesNull(element)) {
        const text = this.text(element).replace(/ \| undefined\b|\bundefined \| /g, '');
        readings.push(nest(problem(Code.OptionalElement, text), segment, (shape) => shape));
        continue;
      }
      const reading =
        flags & ts.ElementFlags.Optional ? this.readMaybeAbsent(element).reading : this.readValue(element);
      readings.push(nest(reading, segment, (shape) => shape));
      if (!reading.shape) continue;
      if (flags & ts.ElementFlags.Rest) rest = reading.shape;
      else shapes.push(reading.shape);
      if (flags & ts.ElementFlags.Required) min = index + 1;
    }
    const failed = combine(readings);
    if (failed) return failed;
    return {
      shape: { tuple: shapes, min, ...(rest !== undefined ? { rest } : {}) },
      problems: [],
      pending: pendingOf(readings),
    };
  }

  /** The analysis's own name; shape-names.ts gives the final ones. */
  private nameFor(type: ts.Type): string {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const base = symbol && !symbol.getName().startsWith('__') ? symbol.getName() : 'Shape';
    return analysisName(base, ++this.named);
  }

  private text(type: ts.Type): string {
    const text = this.checker.typeToString(type);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }
}

/** Keys matching any of several template-keyed signatures. */
function anyOf(patterns: readonly PatternShape[]): PatternShape {
  if (patterns.length === 1) return patterns[0]!;
  return {
    pattern: patterns.map((p) => `(?:${p.pattern})`).join('|'),
    like: patterns.map((p) => p.like).join(' | '),
  };
}

function isUndefined(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0;
}

function includesNull(type: ts.Type): boolean {
  const members = type.flags & ts.TypeFlags.Union ? (type as ts.UnionType).types : [type];
  return members.some((member) => (member.flags & ts.TypeFlags.Null) !== 0);
}

/** `undefined` or `void` alone (or a union of only these). */
function isAlwaysUndefined(type: ts.Type): boolean {
  if (type.flags & ts.TypeFlags.Union) return (type as ts.UnionType).types.every(isUndefined);
  return isUndefined(type);
}

function isClassInstance(type: ts.Type): boolean {
  const symbol = type.getSymbol();
  return symbol !== undefined && (symbol.flags & ts.SymbolFlags.Class) !== 0;
}

/*
 * TypeScript's escaped names: `__#…` is a #private field and `__@…` a symbol key, while a quoted name of the
 * user's that starts with `__` is escaped with one more underscore (`'__#at'` is `___#at`). The declaration's
 * name says it first when there is one.
 */

function isPrivateField(property: ts.Symbol): boolean {
  const name = property.valueDeclaration && ts.getNameOfDeclaration(property.valueDeclaration);
  if (name) return ts.isPrivateIdentifier(name);
  const escaped = property.escapedName as string;
  return escaped.startsWith('__#') && !escaped.startsWith('___');
}

/** A property named by a number (`0`, `'1'`, `1.5`: TypeScript reads a quoted number as the same name). */
function isNumberName(name: string): boolean {
  const number = Number(name);
  return name !== '' && Number.isFinite(number) && String(number) === name;
}

function isSymbolKeyed(property: ts.Symbol): boolean {
  const escaped = property.escapedName as string;
  return escaped.startsWith('__@') && !escaped.startsWith('___');
}

/**
 * A method or accessor declared in a class (`accessor x = 1` too): its instances carry them on the prototype,
 * which JSON skips.
 */
function isClassMethodOrAccessor(property: ts.Symbol): boolean {
  return (property.declarations ?? []).some(
    (declaration) =>
      (ts.isMethodDeclaration(declaration) ||
        ts.isAccessor(declaration) ||
        ts.isAutoAccessorPropertyDeclaration(declaration)) &&
      ts.isClassLike(declaration.parent),
  );
}
