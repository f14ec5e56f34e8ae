// Feasibility probe (issue #20): can sidepunch-gen's analysis run on TypeScript 7's native compiler through its
// unstable JavaScript API (`typescript-native/unstable/sync`: the tsgo binary over a synchronous pipe), and how
// fast would a cold run be? Commands:
//  analyze <project dir> [--naive]
//      opens the project's tsconfig through the TS 7 API, finds the classes implementing SidepunchWorker, reads
//      each `perform`'s parameters and applies the JSON rule (a port of compiler/serializable.ts) to their types
//      and to the awaited result, and prints a summary (workers, accepted, problems, requests, phases). The
//      default batches what the API can batch (one request for all classes' types, all parameters' symbols, …);
//      --naive asks per worker, as a line-by-line port of compiler/checks/perform.ts would.
//  compare [<project dir>…]
//      runs sidepunch-gen's own analysis (TypeScript 6, dist/compiler/analyze.js) and the probe's on each project
//      (default: every fixtures/workers/* golden case) and prints where they disagree: which workers are found
//      and accepted, their argument shapes (canonical), and the JSON-rule codes per file.
//  analyze <project dir> --registry
//      then prints the registry entry from the probe's models and bundles it (sidepunch-gen's generators, dist/),
//      timed, and compares the bundle with the dist/registry.js a cold sidepunch-gen run wrote there.
//  bench [--workers 2000] [--runs 3] [--dir <dir>] [--skip-naive]
//      writes bench/gen.mjs's synthetic project, then times, alternating and process start to exit: TS 7's
//      `tsc --noEmit`, `analyze` (batched, batched with --registry, and naive) and a cold `sidepunch-gen
//      --no-cache`; prints medians and the load average.
// Needs `npm run build` (dist/ holds the TS 6 analysis and the helpers shared with it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SyntaxKind } from 'typescript-native/unstable/ast';
import {
  API,
  ElementFlags,
  ObjectFlags,
  SignatureKind,
  SymbolFlags,
  TypeFlags,
} from 'typescript-native/unstable/sync';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (file) => import(path.join(root, 'dist/compiler', file));
const { Code } = await dist('codes.js');
const { atDeclaration, combine, nest, ok, pendingOf, problem, unionOf } = await dist('reading.js');
const { canonicalArgs } = await dist('canonical-shape.js');
const { BUILTINS } = await dist('builtin-codes.js');

const MAX_DEPTH = 100;

// ---- counting requests ------------------------------------------------------------------------------------

/** Wraps the client's request methods to count round trips per method. */
function countRequests(api) {
  const counts = new Map();
  const client = api.client;
  for (const method of ['apiRequest', 'apiRequestBinary']) {
    const original = client[method].bind(client);
    client[method] = (name, params) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return original(name, params);
    };
  }
  return counts;
}

// ---- the JSON rule on the TS 7 API (compiler/serializable.ts, ported) ---------------------------------------

class JsonRule7 {
  memo = new Map();
  reading = new Map();
  table = {};
  depth = 0;
  builtinCodes = new Map();
  libraryTypes = new Map();
  fileIsStandard = new Map();
  argumentCache = new Map();

  constructor(project) {
    this.project = project;
    this.checker = project.checker;
    this.exactOptional = project.compilerOptions.exactOptionalPropertyTypes === true;
    // Array<T> and ReadonlyArray<T>'s generic targets: an array is a reference to one of these (no round trip).
    const targetOf = (name) => {
      const symbol = this.checker.resolveName(name, SymbolFlags.Type, undefined, false);
      return symbol ? this.checker.getDeclaredTypeOfSymbol(symbol).id : -1;
    };
    this.arrayTargets = new Set([targetOf('Array'), targetOf('ReadonlyArray')]);
  }

  /** A union's or intersection's members: a request each time the API is asked, so cached per type. */
  members(type) {
    return membersOf(type);
  }

  typeArguments(type) {
    let args = this.argumentCache.get(type);
    if (!args) {
      args = this.checker.getTypeArguments(type);
      this.argumentCache.set(type, args);
    }
    return args;
  }

  isArray(type) {
    return (
      (type.flags & TypeFlags.Object) !== 0 &&
      (type.objectFlags & ObjectFlags.Reference) !== 0 &&
      this.arrayTargets.has(type.target)
    );
  }

  isTuple(type) {
    return (
      (type.flags & TypeFlags.Object) !== 0 &&
      (type.objectFlags & ObjectFlags.Reference) !== 0 &&
      (type.getTarget().objectFlags & ObjectFlags.Tuple) !== 0
    );
  }

  readValue(type) {
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
    const { name } = this.reading.get(type);
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

  readRest(type) {
    if (this.isTuple(type)) return this.readTuple(type, true);
    if (type.flags & TypeFlags.Union && this.members(type).every((t) => this.isTuple(t))) {
      const readings = this.members(type).map((member) => this.readRest(member));
      const failed = combine(readings);
      if (failed) return failed;
      return { shape: { union: readings.map((r) => r.shape) }, problems: [], pending: pendingOf(readings) };
    }
    return this.readValue(type);
  }

  readMaybeAbsent(type) {
    if (!(type.flags & TypeFlags.Union))
      return { reading: this.readValue(type), mayBeAbsent: isUndefined(type) };
    const members = this.members(type);
    const defined = members.filter((member) => !isUndefined(member));
    if (defined.length === members.length) return { reading: this.readValue(type), mayBeAbsent: false };
    if (defined.length === 0) return { reading: this.readValue(type), mayBeAbsent: true };
    return { reading: this.readUnion(defined), mayBeAbsent: true };
  }

  classify(type) {
    const flags = type.flags;
    if (flags & TypeFlags.Any) {
      return type.intrinsicName === 'error' ? problem(Code.Unresolved, 'a type') : problem(Code.Any, 'any');
    }
    if (flags & TypeFlags.Unknown) return problem(Code.Unknown, 'unknown');
    if (flags & TypeFlags.Never) return problem(Code.Unsupported, 'never');
    if (flags & (TypeFlags.BigInt | TypeFlags.BigIntLiteral)) return problem(Code.BigInt, this.text(type));
    if (flags & TypeFlags.ESSymbolLike) return problem(Code.Symbol, this.text(type));
    if (flags & (TypeFlags.Undefined | TypeFlags.Void)) return problem(Code.Undefined, this.text(type));
    if (flags & TypeFlags.Null) return ok('null');
    if (flags & TypeFlags.Boolean) return ok('boolean');
    if (flags & TypeFlags.BooleanLiteral)
      return ok({ literal: [type.value === true || type.intrinsicName === 'true'] });
    if (flags & TypeFlags.StringLiteral) return ok({ literal: [type.value] });
    if (flags & TypeFlags.NumberLiteral) return ok({ literal: [type.value] });
    if (flags & (TypeFlags.String | TypeFlags.TemplateLiteral | TypeFlags.StringMapping)) return ok('string');
    if (flags & (TypeFlags.Number | TypeFlags.Enum)) return ok('number');
    if (flags & TypeFlags.Union) return this.readUnion(this.members(type), type);
    if (flags & TypeFlags.Intersection) return this.readIntersection(type);
    if (flags & TypeFlags.NonPrimitive) return problem(Code.OpenObject, 'object');
    if (flags & (TypeFlags.TypeParameter | TypeFlags.Index | TypeFlags.IndexedAccess)) {
      return problem(Code.TypeParameter, this.text(type));
    }
    if (flags & (TypeFlags.Conditional | TypeFlags.Substitution))
      return problem(Code.TypeParameter, this.text(type));
    if (flags & TypeFlags.Object) return this.readObject(type);
    return problem(Code.Unsupported, this.text(type));
  }

  readUnion(members, union) {
    const defined = members.filter((member) => !isUndefined(member));
    const readings = defined.map((member) => this.readValue(member));
    if (defined.length < members.length)
      readings.push(problem(Code.Undefined, union ? this.text(union) : 'undefined'));
    const failed = combine(readings);
    if (failed) return failed;
    return { shape: unionOf(readings.map((r) => r.shape)), problems: [], pending: pendingOf(readings) };
  }

  readIntersection(type) {
    const members = this.members(type);
    for (const member of members) {
      if (this.isArray(member) || this.isTuple(member)) {
        return problem(
          Code.Unsupported,
          `${this.text(type)} (an array with properties: JSON keeps its elements only)`,
        );
      }
      const builtin = this.codeOf(member);
      if (builtin !== undefined) return problem(builtin, this.text(member));
    }
    const primitive = members.find(
      (member) => member.flags & (TypeFlags.StringLike | TypeFlags.NumberLike | TypeFlags.BooleanLike),
    );
    if (primitive) return this.readValue(primitive);
    return this.readObject(type);
  }

  readObject(type) {
    if (this.isTuple(type)) return this.readTuple(type, false);
    if (this.isArray(type)) {
      const element = this.typeArguments(type)[0];
      return nest(this.readValue(element), { kind: 'element' }, (shape) => ({ array: shape }));
    }
    const builtin = this.codeOf(type);
    if (builtin !== undefined) return problem(builtin, this.text(type));
    if (
      this.checker.getSignaturesOfType(type, SignatureKind.Call).length > 0 ||
      this.checker.getSignaturesOfType(type, SignatureKind.Construct).length > 0
    ) {
      return problem(Code.Function, this.text(type));
    }
    const properties = this.checker.getPropertiesOfType(type);
    // One request for all the properties' types (serializable.ts asks per property).
    const types = properties.length > 0 ? this.checker.getTypeOfSymbol(properties) : [];
    if (properties.some((property, i) => this.isToJsonMethod(property, types[i]))) {
      return problem(Code.ToJson, this.text(type));
    }
    const privateField = properties.find(isPrivateField);
    if (privateField) return problem(Code.PrivateField, this.classText(type, privateField));
    const classMember = properties.find(
      (property) => this.isClassMethodOrAccessor(property) && !(property.flags & SymbolFlags.Optional),
    );
    if (classMember) return problem(Code.ClassInstance, this.classText(type, classMember));
    const indexInfos = this.checker.getIndexInfosOfType(type);
    if (properties.length === 0 && indexInfos.length === 0) return problem(Code.OpenObject, this.text(type));
    const reading = this.readProperties(properties, types, indexInfos);
    const ownMembers = reading.problems.some((p) => p.path[0]?.kind !== 'key');
    if (ownMembers && this.isLibraryType(type)) return problem(Code.LibraryType, this.text(type));
    return reading;
  }

  readProperties(properties, types, indexInfos) {
    const readings = [];
    const object = {};
    const optional = [];
    let index;
    for (const info of indexInfos) {
      if (info.valueType.flags & TypeFlags.Never) continue;
      if (!(info.keyType.flags & (TypeFlags.String | TypeFlags.TemplateLiteral))) {
        readings.push(problem(Code.NonStringKey, this.text(info.keyType)));
        continue;
      }
      const { reading } = this.readMaybeAbsent(info.valueType);
      readings.push(nest(reading, { kind: 'key' }, (shape) => shape));
      if (reading.shape) index = index ? unionOf([index, reading.shape]) : reading.shape;
    }
    for (const [i, property] of properties.entries()) {
      const name = property.name;
      const segment = { kind: 'property', name };
      const declaration = property.valueDeclaration ?? property.declarations[0];
      if (isSymbolKeyed(property)) {
        readings.push(
          atDeclaration(
            problem(Code.NonStringKey, 'symbol'),
            { kind: 'property', name: `[${name}]` },
            declaration,
          ),
        );
        continue;
      }
      const type = types[i];
      if (property.flags & SymbolFlags.Method) {
        readings.push(atDeclaration(problem(Code.Function, this.text(type)), segment, declaration));
        continue;
      }
      if (isAlwaysUndefined(type)) continue;
      const { reading, mayBeAbsent } = this.readMaybeAbsent(type);
      readings.push(atDeclaration(reading, segment, declaration));
      if (!reading.shape) continue;
      object[name] = reading.shape;
      if (mayBeAbsent || property.flags & SymbolFlags.Optional) optional.push(name);
    }
    const failed = combine(readings);
    if (failed) return failed;
    const pending = pendingOf(readings);
    if (Object.keys(object).length === 0 && index) return { shape: { record: index }, problems: [], pending };
    const shape = { object, ...(optional.length > 0 ? { optional } : {}), ...(index ? { index } : {}) };
    return { shape, problems: [], pending };
  }

  isToJsonMethod(property, type) {
    if (property.name !== 'toJSON') return false;
    if (property.flags & SymbolFlags.Method) return true;
    const nonNull = this.checker.getNonNullableType(type);
    return this.checker.getSignaturesOfType(nonNull, SignatureKind.Call).length > 0;
  }

  /**
   * A method or accessor declared in a class. The symbol's declarations are handles (file, kind, index); their
   * parent's kind needs the declaring file's AST, fetched only for these kinds.
   */
  isClassMethodOrAccessor(property) {
    return property.declarations.some((handle) => {
      if (
        handle.kind !== SyntaxKind.MethodDeclaration &&
        handle.kind !== SyntaxKind.GetAccessor &&
        handle.kind !== SyntaxKind.SetAccessor &&
        handle.kind !== SyntaxKind.PropertyDeclaration
      ) {
        return false;
      }
      const node = handle.resolve(this.project);
      if (!node) return false;
      if (handle.kind === SyntaxKind.PropertyDeclaration) {
        if (!node.modifiers?.some((m) => m.kind === SyntaxKind.AccessorKeyword)) return false;
      }
      return (
        node.parent?.kind === SyntaxKind.ClassDeclaration || node.parent?.kind === SyntaxKind.ClassExpression
      );
    });
  }

  classText(type, member) {
    const symbol = type.flags & TypeFlags.Object ? type.getSymbol() : undefined;
    if (symbol && symbol.flags & SymbolFlags.Class) return this.text(type);
    const handle = member.valueDeclaration ?? member.declarations[0];
    const owner = handle?.resolve(this.project)?.parent;
    return owner?.name?.text ?? this.text(type);
  }

  readTuple(type, arguments_) {
    const flagsOf = type.getTarget().elementFlags;
    const elements = this.typeArguments(type).slice(0, flagsOf.length); // drops the `this` argument
    const shapes = [];
    const readings = [];
    let min = 0;
    let rest;
    for (const [index, element] of elements.entries()) {
      const flags = flagsOf[index];
      if (flags & ElementFlags.Variadic) return problem(Code.TypeParameter, this.text(element));
      if (rest !== undefined)
        return problem(Code.Unsupported, `${this.text(type)} (elements after a rest element)`);
      const segment = flags & ElementFlags.Rest ? { kind: 'element' } : { kind: 'position', index };
      const trailing = arguments_ && index === elements.length - 1;
      if (flags & ElementFlags.Optional && !trailing && !this.exactOptional && !includesNull(element)) {
        const text = this.text(element).replace(/ \| undefined\b|\bundefined \| /g, '');
        readings.push(nest(problem(Code.OptionalElement, text), segment, (s) => s));
        continue;
      }
      const reading =
        flags & ElementFlags.Optional ? this.readMaybeAbsent(element).reading : this.readValue(element);
      readings.push(nest(reading, segment, (s) => s));
      if (!reading.shape) continue;
      if (flags & ElementFlags.Rest) rest = reading.shape;
      else shapes.push(reading.shape);
      if (flags & ElementFlags.Required) min = index + 1;
    }
    const failed = combine(readings);
    if (failed) return failed;
    return {
      shape: { tuple: shapes, min, ...(rest !== undefined ? { rest } : {}) },
      problems: [],
      pending: pendingOf(readings),
    };
  }

  codeOf(type, depth = 0) {
    if (this.builtinCodes.has(type)) return this.builtinCodes.get(type);
    const code = this.lookupBuiltin(type, depth);
    this.builtinCodes.set(type, code);
    return code;
  }

  lookupBuiltin(type, depth) {
    const symbol = type.flags & TypeFlags.Object ? type.getSymbol() : undefined;
    const named = symbol ? BUILTINS.get(symbol.name) : undefined;
    if (named !== undefined && this.isStandard(symbol)) return named;
    const objectFlags = type.flags & TypeFlags.Object ? type.objectFlags : 0;
    if (depth > 8 || !(objectFlags & (ObjectFlags.ClassOrInterface | ObjectFlags.Reference)))
      return undefined;
    const target = objectFlags & ObjectFlags.Reference ? type.getTarget() : type;
    if (!(target.objectFlags & ObjectFlags.ClassOrInterface)) return undefined;
    for (const base of this.checker.getBaseTypes(target)) {
      const code = this.codeOf(base, depth + 1);
      if (code !== undefined) return code;
    }
    return undefined;
  }

  isLibraryType(type, depth = 0) {
    const key = `${type.id}/${depth}`;
    if (this.libraryTypes.has(key)) return this.libraryTypes.get(key);
    const symbol = type.flags & TypeFlags.Object ? type.getSymbol() : undefined;
    let result = false;
    if (symbol && symbol.flags & (SymbolFlags.Class | SymbolFlags.Interface) && this.isStandard(symbol))
      result = true;
    else if (depth <= 8 && type.flags & TypeFlags.Object) {
      const target = type.objectFlags & ObjectFlags.Reference ? type.getTarget() : type;
      if (target.objectFlags & ObjectFlags.ClassOrInterface) {
        result = this.checker.getBaseTypes(target).some((base) => this.isLibraryType(base, depth + 1));
      }
    }
    this.libraryTypes.set(key, result);
    return result;
  }

  /** Declared by the standard library or @types/node: the declarations' handles name their files. */
  isStandard(symbol) {
    return (
      symbol.declarations.length > 0 &&
      symbol.declarations.every((handle) => {
        const file = handle.path;
        if (file.includes('/node_modules/@types/node/')) return true;
        if (!this.fileIsStandard.has(file)) {
          this.fileIsStandard.set(
            file,
            this.project.program.getSourceFileMetadata(file)?.isDefaultLibrary === true,
          );
        }
        return this.fileIsStandard.get(file);
      })
    );
  }

  nameFor(type) {
    const symbol = type.getAliasSymbol() ?? (type.flags & TypeFlags.Object ? type.getSymbol() : undefined);
    const base = symbol && !symbol.name.startsWith('__') ? symbol.name : 'Shape';
    let name = base;
    for (let n = 2; name in this.table || [...this.reading.values()].some((r) => r.name === name); n++) {
      name = `${base}${n}`;
    }
    return name;
  }

  text(type) {
    const text = this.checker.typeToString(type);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }
}

const memberCache = new Map();

/** A union's or intersection's members: the API asks the server at each call, so they are cached per type. */
function membersOf(type) {
  let members = memberCache.get(type);
  if (!members) {
    members = type.getTypes();
    memberCache.set(type, members);
  }
  return members;
}

function isUndefined(type) {
  return (type.flags & (TypeFlags.Undefined | TypeFlags.Void)) !== 0;
}

function includesNull(type) {
  const members = type.flags & TypeFlags.Union ? membersOf(type) : [type];
  return members.some((member) => (member.flags & TypeFlags.Null) !== 0);
}

function isAlwaysUndefined(type) {
  if (type.flags & TypeFlags.Union) return membersOf(type).every(isUndefined);
  return isUndefined(type);
}

/** TypeScript's escaped names: `__#…` is a #private field, `__@…` a symbol key; a quoted `'__x'` is `___x`. */
function isPrivateField(property) {
  const escaped = property.escapedName;
  return (
    (escaped.startsWith('__#') && !escaped.startsWith('___')) ||
    property.valueDeclaration?.kind === SyntaxKind.PrivateIdentifier
  );
}

function isSymbolKeyed(property) {
  const escaped = property.escapedName;
  return escaped.startsWith('__@') && !escaped.startsWith('___');
}

// ---- discovery and perform ----------------------------------------------------------------------------------

const hasModifier = (node, kind) => node.modifiers?.some((m) => m.kind === kind) ?? false;

/** Whether a class's `implements` names sidepunch's SidepunchWorker: by its file's imports first, else by symbols. */
class WorkerInterface7 {
  symbols = new Map();
  classes = new Map();

  constructor(project) {
    this.project = project;
    this.checker = project.checker;
  }

  /** The cheap path: `implements SidepunchWorker` with `import type { SidepunchWorker } from 'sidepunch'`. */
  byImport(sourceFile, expression) {
    if (expression.kind !== SyntaxKind.Identifier) return false;
    for (const statement of sourceFile.statements) {
      if (statement.kind !== SyntaxKind.ImportDeclaration || statement.moduleSpecifier.text !== 'sidepunch')
        continue;
      const bindings = statement.importClause?.namedBindings;
      if (bindings?.kind !== SyntaxKind.NamedImports) continue;
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        if (element.name.text === expression.text && imported === 'SidepunchWorker') return true;
      }
    }
    return false;
  }

  /** Aliases, interfaces that extend it, re-exports: follow the symbol to its declaration. */
  bySymbol(symbol) {
    if (!symbol) return false;
    const known = this.symbols.get(symbol.id);
    if (known !== undefined) return known;
    this.symbols.set(symbol.id, false);
    const target = symbol.flags & SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
    let result = false;
    if (target.flags & SymbolFlags.Interface) {
      if (target.name === 'SidepunchWorker' && target.declarations.some((d) => isSidepunchFile(d.path)))
        result = true;
      else {
        const declared = this.checker.getDeclaredTypeOfSymbol(target);
        result = this.checker.getBaseTypes(declared).some((base) => this.bySymbol(base.getSymbol()));
      }
    } else if (target.flags & SymbolFlags.TypeAlias) {
      result = this.bySymbol(this.checker.getDeclaredTypeOfSymbol(target).getSymbol());
    }
    this.symbols.set(symbol.id, result);
    return result;
  }
}

function isSidepunchFile(file) {
  return file.includes('/node_modules/sidepunch/') || file.startsWith(root);
}

/** The user's own files: no declaration files, nothing from node_modules, not the generated stubs. */
function projectFiles(program) {
  return program
    .getSourceFileNames()
    .filter(
      (file) =>
        !file.endsWith('.d.ts') &&
        !file.endsWith('.d.mts') &&
        !file.endsWith('.d.cts') &&
        !file.includes('/node_modules/') &&
        !file.endsWith('sidepunch.generated.ts'),
    );
}

export function analyze(dir, { naive = false } = {}) {
  const phases = [];
  let last = performance.now();
  const mark = (phase) => {
    const now = performance.now();
    phases.push([phase, now - last]);
    last = now;
  };
  // PROBE_TIMING=1: the API's own accounting of server time against the round trips (some overhead of its own).
  const collectTiming = process.env.PROBE_TIMING === '1';
  const api = new API({ cwd: dir, collectTiming });
  const counts = countRequests(api);
  const tsconfig = path.join(dir, 'tsconfig.json');
  const snapshot = api.updateSnapshot({ openProjects: [tsconfig] });
  const project = snapshot.getProject(tsconfig);
  const { program, checker } = project;
  mark('start tsgo, parse and bind (updateSnapshot)');

  const files = projectFiles(program);
  const sourceFiles = files.map((file) => program.getSourceFile(file));
  const syntax = naive
    ? sourceFiles.flatMap((sf) => program.getSyntacticDiagnostics(sf.fileName))
    : program.getSyntacticDiagnostics().filter((d) => files.includes(d.fileName));
  mark(`fetch ${files.length} ASTs, syntactic diagnostics`);

  // Discovery: top-level classes (and `const X = class …`) with an implements clause, not abstract.
  const workerInterface = new WorkerInterface7(project);
  const candidates = [];
  const viaSymbol = [];
  for (const sourceFile of sourceFiles) {
    for (const statement of sourceFile.statements) {
      let cls = statement;
      let name = statement.name?.text;
      if (statement.kind === SyntaxKind.VariableStatement) {
        const declaration = statement.declarationList.declarations[0];
        if (declaration?.initializer?.kind !== SyntaxKind.ClassExpression) continue;
        cls = declaration.initializer;
        name = cls.name?.text ?? declaration.name.text;
      } else if (statement.kind !== SyntaxKind.ClassDeclaration) continue;
      if (!cls.heritageClauses || hasModifier(cls, SyntaxKind.AbstractKeyword)) continue;
      const exported = hasModifier(statement, SyntaxKind.ExportKeyword);
      const exportName = !exported
        ? undefined
        : hasModifier(statement, SyntaxKind.DefaultKeyword)
          ? 'default'
          : name;
      const candidate = { sourceFile, cls, name, file: sourceFile.fileName, exportName };
      const implemented = cls.heritageClauses
        .filter((clause) => clause.token === SyntaxKind.ImplementsKeyword)
        .flatMap((clause) => clause.types.map((t) => t.expression));
      if (implemented.some((expression) => workerInterface.byImport(sourceFile, expression)))
        candidates.push(candidate);
      else viaSymbol.push({ candidate, implemented });
    }
  }
  // The rest: one request for the symbols of all their implements clauses, then follow aliases and bases.
  const expressions = viaSymbol.flatMap((v) => v.implemented);
  const symbols = expressions.length > 0 ? checker.getSymbolAtLocation(expressions) : [];
  let at = 0;
  const undecided = [];
  for (const { candidate, implemented } of viaSymbol) {
    const found = implemented.map(() => symbols[at++]).some((symbol) => workerInterface.bySymbol(symbol));
    if (found) candidates.push(candidate);
    else if (candidate.cls.heritageClauses.some((c) => c.token === SyntaxKind.ExtendsKeyword))
      undecided.push(candidate);
  }
  // Through a base class: its own implements clause (the base's file, fetched on demand).
  for (const candidate of undecided) {
    if (baseImplements(candidate.cls, project, workerInterface, 0)) candidates.push(candidate);
  }
  mark(`discover ${candidates.length} workers`);

  // perform: a method declared in the class (AST), else inherited (the checker's property of the instance type).
  const rule = new JsonRule7(project);
  const workers = [];
  const own = [];
  const inherited = [];
  for (const candidate of candidates) {
    const methods = candidate.cls.members.filter((m) => m.name?.text === 'perform');
    if (methods.length > 0) own.push({ ...candidate, methods });
    else inherited.push(candidate);
  }
  let parameterTypes;
  let annotationTypes;
  let returnTypes;
  const performInfo = new Map();
  if (!naive) {
    // Batched: the parameters' symbols, their types and their annotations' types, in 3 requests for all workers.
    const names = [];
    const annotations = [];
    const returns = [];
    for (const worker of own) {
      const method = worker.methods.find((m) => m.body) ?? worker.methods[0];
      if (method.kind !== SyntaxKind.MethodDeclaration) continue; // reported by readPerformBatched
      worker.method = method;
      for (const p of method.parameters) {
        names.push(p.name);
        if (p.type) annotations.push(p.type);
      }
      if (method.type) returns.push(method.type);
    }
    const paramSymbols = names.length > 0 ? checker.getSymbolAtLocation(names) : [];
    parameterTypes = new Map();
    const types = paramSymbols.length > 0 ? checker.getTypeOfSymbol(paramSymbols) : [];
    for (const [i, name] of names.entries()) parameterTypes.set(name, types[i]);
    annotationTypes = new Map();
    const annotated = annotations.length > 0 ? checker.getTypeAtLocation(annotations) : [];
    for (const [i, node] of annotations.entries()) annotationTypes.set(node, annotated[i]);
    returnTypes = new Map();
    const returned = returns.length > 0 ? checker.getTypeAtLocation(returns) : [];
    for (const [i, node] of returns.entries()) returnTypes.set(node, returned[i]);
  }
  mark(`perform of ${own.length} workers (batched requests)${naive ? ' (skipped: naive)' : ''}`);

  const diagnostics = [];
  const report = (worker, code, detail) =>
    diagnostics.push({ file: worker.file, className: worker.name, code, detail });
  for (const worker of [...own, ...inherited]) {
    const perform = worker.methods?.some((m) => m.kind !== SyntaxKind.MethodDeclaration)
      ? { code: Code.PerformMissing }
      : naive || !worker.method
        ? readPerformNaive(worker, project)
        : readPerformBatched(worker, parameterTypes, annotationTypes, returnTypes, checker);
    performInfo.set(worker, perform);
    if ('code' in perform) {
      report(worker, perform.code, perform.detail);
      continue;
    }
    const tuple = [];
    let min = 0;
    let spreads = [];
    let failed = false;
    for (const parameter of perform.parameters) {
      const reading = parameter.rest
        ? rule.readRest(parameter.type)
        : parameter.optional
          ? rule.readMaybeAbsent(parameter.type).reading
          : rule.readValue(parameter.type);
      if (!reading.shape) {
        failed = true;
        for (const p of reading.problems) report(worker, p.code, `${parameter.name}: ${p.typeText}`);
        continue;
      }
      if (!parameter.rest) {
        tuple.push(reading.shape);
        if (!parameter.optional) min = tuple.length;
        continue;
      }
      const spread = spreadsOf(reading.shape);
      if (!spread) {
        failed = true;
        report(worker, Code.Unsupported, parameter.name);
        continue;
      }
      spreads = spread;
    }
    // The result: `Promise<T>` unwrapped by hand (the API has no getAwaitedType).
    const result = awaited(perform.returnType, rule);
    const members = result.flags & TypeFlags.Union ? membersOf(result) : [result];
    if (!members.every((m) => m.flags & (TypeFlags.Void | TypeFlags.Undefined | TypeFlags.Never))) {
      const reading = rule.readValue(result);
      if (!reading.shape) {
        failed = true;
        for (const p of reading.problems) report(worker, Code.ResultNotSerializable, p.typeText);
      }
    }
    if (failed) continue;
    const lists = spreads.map((spread) => ({
      tuple: [...tuple, ...spread.tuple],
      min: spread.min > 0 ? tuple.length + spread.min : min,
      ...(spread.rest !== undefined ? { rest: spread.rest } : {}),
    }));
    const args = spreads.length === 0 ? { tuple, min } : lists.length === 1 ? lists[0] : { union: lists };
    workers.push({
      className: worker.name,
      file: worker.file,
      exportName: worker.exportName,
      parameters: perform.parameters.map(({ name, optional, rest }) => ({ name, optional, rest })),
      args,
    });
  }
  mark(`JSON rule over ${candidates.length} workers`);

  // What compiler/type-text.ts needs to print the annotations in the stubs: each name a type reference starts
  // with, resolved to its import (the module's file) or its declaration. Two batched requests for all workers.
  const typeNames = [];
  for (const worker of own) {
    if (!worker.method) continue;
    for (const p of worker.method.parameters) {
      if (!p.type) continue;
      const visit = (node) => {
        let name;
        if (node.kind === SyntaxKind.TypeReference) name = node.typeName;
        else if (node.kind === SyntaxKind.TypeQuery) name = node.exprName;
        while (name?.kind === SyntaxKind.QualifiedName) name = name.left;
        if (name) typeNames.push({ worker, name });
        node.forEachChild(visit);
      };
      visit(p.type);
    }
  }
  const nameSymbols = typeNames.length > 0 ? checker.getSymbolAtLocation(typeNames.map((t) => t.name)) : [];
  const specifiers = [];
  const refs = [];
  typeNames.forEach(({ worker, name }, i) => {
    const symbol = nameSymbols[i];
    if (!symbol || symbol.flags & SymbolFlags.TypeParameter) return;
    if (!(symbol.flags & SymbolFlags.Alias)) {
      refs.push({ name: name.text, global: !symbol.declarations.some((d) => d.path === worker.file) });
      return;
    }
    // The import that binds the name, from the file's AST: its module specifier's symbol is the module.
    for (const statement of worker.sourceFile.statements) {
      if (statement.kind !== SyntaxKind.ImportDeclaration) continue;
      const bindings = statement.importClause?.namedBindings;
      const element = bindings?.elements?.find((e) => e.name.text === name.text);
      if (!element) continue;
      specifiers.push(statement.moduleSpecifier);
      refs.push({
        name: (element.propertyName ?? element.name).text,
        specifier: statement.moduleSpecifier.text,
      });
    }
  });
  const modules = specifiers.length > 0 ? checker.getSymbolAtLocation(specifiers) : [];
  const moduleFiles = new Set(modules.map((m) => m?.valueDeclaration?.path ?? m?.declarations[0]?.path));
  mark(
    `resolve ${typeNames.length} annotation names (${refs.length} references, ${moduleFiles.size} modules)`,
  );
  const timing = collectTiming ? api.getTimingInfo().totals : undefined;
  api.close();
  mark('close');
  const requests = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    workers,
    found: candidates.map((c) => ({ className: c.name, file: c.file })),
    diagnostics,
    syntax: syntax.length,
    shapes: rule.table,
    phases,
    timing,
    requests,
    counts: Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1])),
  };
}

function baseImplements(cls, project, workerInterface, depth) {
  if (depth > 8) return false;
  const extendsClause = cls.heritageClauses?.find((c) => c.token === SyntaxKind.ExtendsKeyword);
  const expression = extendsClause?.types[0]?.expression;
  if (!expression) return false;
  let symbol = project.checker.getSymbolAtLocation(expression);
  if (symbol && symbol.flags & SymbolFlags.Alias) symbol = project.checker.getAliasedSymbol(symbol);
  const base = symbol?.valueDeclaration?.resolve(project);
  if (!base) return false;
  const implemented = (base.heritageClauses ?? [])
    .filter((clause) => clause.token === SyntaxKind.ImplementsKeyword)
    .flatMap((clause) => clause.types.map((t) => t.expression));
  const sourceFile = base.getSourceFile();
  if (implemented.some((e) => workerInterface.byImport(sourceFile, e))) return true;
  if (implemented.some((e) => workerInterface.bySymbol(project.checker.getSymbolAtLocation(e)))) return true;
  return baseImplements(base, project, workerInterface, depth + 1);
}

/** perform declared in the class: types from the batched requests; the rules on the AST. */
function readPerformBatched(worker, parameterTypes, annotationTypes, returnTypes, checker) {
  const { methods, method } = worker;
  if (methods.some((m) => m.kind !== SyntaxKind.MethodDeclaration)) return { code: Code.PerformMissing };
  if (methods.length > 1) return { code: Code.PerformOverloaded };
  if (method.typeParameters?.length) return { code: Code.PerformGeneric };
  const parameters = method.parameters
    .filter((p) => !(p.name.kind === SyntaxKind.Identifier && p.name.text === 'this'))
    .map((p, index) => ({
      name: p.name.kind === SyntaxKind.Identifier ? p.name.text : `arg${index}`,
      optional: !!p.questionToken || !!p.initializer,
      rest: !!p.dotDotDotToken,
      type: parameterTypes.get(p.name),
      undefinedInType: p.type ? allowsUndefined(annotationTypes.get(p.type)) : false,
    }));
  const misplaced = optionalBeforeRequired(parameters);
  if (misplaced) return misplaced;
  const returnType = method.type
    ? returnTypes.get(method.type)
    : checker.getReturnTypeOfSignature(checker.getSignatureFromDeclaration(method));
  return { parameters, returnType };
}

/** perform as compiler/checks/perform.ts reads it: per worker, through the instance type's property. */
function readPerformNaive(worker, project) {
  const { checker } = project;
  const instanceType = checker.getTypeAtLocation(worker.cls);
  const property = checker.getPropertyOfType(instanceType, 'perform');
  if (!property) return { code: Code.PerformMissing };
  const declarations = property.declarations;
  if (declarations.length === 0 || declarations.some((d) => d.kind !== SyntaxKind.MethodDeclaration)) {
    return { code: Code.PerformMissing };
  }
  if (declarations.length > 1) return { code: Code.PerformOverloaded };
  const method = declarations[0].resolve(project);
  const signature = checker.getSignaturesOfType(checker.getTypeOfSymbol(property), SignatureKind.Call)[0];
  if (!signature) return { code: Code.PerformMissing };
  if (method.typeParameters?.length || signature.getTypeParameters().length)
    return { code: Code.PerformGeneric };
  const symbols = signature.getParameters();
  const parameters = method.parameters
    .filter((p) => !(p.name.kind === SyntaxKind.Identifier && p.name.text === 'this'))
    .map((p, index) => ({
      name: p.name.kind === SyntaxKind.Identifier ? p.name.text : `arg${index}`,
      optional: !!p.questionToken || !!p.initializer,
      rest: !!p.dotDotDotToken,
      type: symbols[index] ? checker.getTypeOfSymbol(symbols[index]) : checker.getTypeAtLocation(p),
      undefinedInType: p.type ? allowsUndefined(checker.getTypeFromTypeNode(p.type)) : false,
    }));
  const misplaced = optionalBeforeRequired(parameters);
  if (misplaced) return misplaced;
  return { parameters, returnType: checker.getReturnTypeOfSignature(signature) };
}

function optionalBeforeRequired(parameters) {
  const required = parameters.findLastIndex((p) => (p.rest ? restRequires(p.type) : !p.optional));
  const misplaced = parameters.slice(0, Math.max(0, required)).find((p) => p.optional);
  return misplaced ? { code: Code.OptionalBeforeRequired, detail: misplaced.name } : undefined;
}

function restRequires(type) {
  const members = type.flags & TypeFlags.Union ? membersOf(type) : [type];
  return members.every((member) => {
    if (!(member.flags & TypeFlags.Object && member.objectFlags & ObjectFlags.Reference)) return false;
    const target = member.getTarget();
    if (!(target.objectFlags & ObjectFlags.Tuple)) return false;
    // minLength is not in the API: the required elements, counted from their flags as TypeScript does.
    return target.elementFlags.filter((f) => f & ElementFlags.Required).length > 0;
  });
}

function allowsUndefined(type) {
  if (!type) return false;
  const members = type.flags & TypeFlags.Union ? membersOf(type) : [type];
  return members.some((member) => (member.flags & (TypeFlags.Undefined | TypeFlags.Void)) !== 0);
}

/** `Promise<T>` → T, recursively: what checker.getAwaitedType does for the common case (no thenables). */
function awaited(type, rule, depth = 0) {
  // (A union with a promise in it, `Promise<A> | B`, is left as it is: getAwaitedType would map its members.)
  if (depth > 8 || !(type.flags & TypeFlags.Object) || !(type.objectFlags & ObjectFlags.Reference))
    return type;
  const symbol = type.getSymbol();
  if (symbol?.name !== 'Promise' && symbol?.name !== 'PromiseLike') return type;
  return awaited(rule.typeArguments(type)[0], rule, depth + 1);
}

function spreadsOf(shape) {
  if (typeof shape !== 'object') return undefined;
  if ('array' in shape) return [{ tuple: [], min: 0, rest: shape.array }];
  if ('tuple' in shape) return [shape];
  if (!('union' in shape)) return undefined;
  const members = shape.union.map(spreadsOf);
  return members.every((m) => m !== undefined) ? members.flat() : undefined;
}

// ---- the registry from the probe's models (what a port's run does next) ------------------------------------

/**
 * `analyze --registry`: the registry entry and its esbuild bundle from the probe's models, with sidepunch-gen's own
 * generators (dist/), timed, and compared byte for byte with the dist/registry.js a cold sidepunch-gen run wrote
 * there (nothing is written). The stubs are left out: they need the annotations' texts, which the probe resolves
 * but does not print.
 */
async function emitRegistry(dir, result, started) {
  const t0 = performance.now();
  const { emitRegistryEntry, sourceSpecifier } = await dist('emit-registry.js');
  const { bundleRegistry } = await dist('bundle.js');
  const { canonicalTable } = await dist('canonical-shape.js');
  const { compareText } = await dist('compare-text.js');
  const models = [...result.workers]
    .sort((a, b) => compareText(a.className, b.className))
    .map((worker) => ({ ...worker, options: [], args: canonicalArgs(worker.args) }));
  const entry = emitRegistryEntry(models, canonicalTable(result.shapes), sourceSpecifier(dir));
  const t1 = performance.now();
  const registry = path.join(dir, 'dist/registry.js');
  const request = {
    entry,
    projectDir: dir,
    tsconfig: path.join(dir, 'tsconfig.json'),
    outFile: registry,
    format: 'esm',
  };
  const bundled = await bundleRegistry(request);
  const t2 = performance.now();
  if (!('code' in bundled)) throw new Error(`the bundle failed: ${JSON.stringify(bundled.diagnostics)}`);
  const written = existsSync(registry) ? readFileSync(registry, 'utf8') : undefined;
  console.log(
    `registry entry ${(t1 - t0).toFixed(0)} ms, esbuild bundle ${(t2 - t1).toFixed(0)} ms: ` +
      `${((performance.now() - started) / 1000).toFixed(2)} s from the analysis's start, the process started ` +
      `${process.uptime().toFixed(2)} s ago; the bundle ${written === undefined ? 'has no dist/registry.js to compare with' : written === bundled.code ? 'equals' : 'DIFFERS from'} sidepunch-gen's dist/registry.js` +
      ` (${bundled.code.length} bytes)`,
  );
}

// ---- compare with sidepunch-gen's own analysis (TypeScript 6) ----------------------------------------------

const JSON_RULE_CODES = new Set([
  ...Object.values(Code).filter((c) => c >= 1001 && c <= 1022),
  Code.PerformMissing,
  Code.PerformGeneric,
  Code.PerformOverloaded,
  Code.OptionalBeforeRequired,
  Code.ResultNotSerializable,
]);

async function compare(dirs) {
  const { loadProject } = await dist('project.js');
  const { analyzeProject } = await dist('analyze.js');
  let agree = 0;
  let total = 0;
  const disagreements = [];
  const texts = { total: 0, same: 0, differ: [] };
  for (const dir of dirs) {
    const loaded = loadProject(path.join(dir, 'tsconfig.json'));
    if ('diagnostics' in loaded) continue;
    const six = analyzeProject(loaded.project, {
      cwd: dir,
      skipFiles: new Set([path.join(dir, 'src/sidepunch.generated.ts')]),
    });
    const seven = analyze(dir);
    const codes = (list) => {
      const byFile = new Map();
      for (const d of list) {
        const code = typeof d.code === 'string' ? Number(d.code.replace(/^SP/, '')) : d.code;
        if (!JSON_RULE_CODES.has(code) || !d.file) continue;
        const key = path.relative(dir, d.file);
        byFile.set(key, [...(byFile.get(key) ?? []), code].sort());
      }
      return byFile;
    };
    const sixCodes = codes(six.diagnostics);
    const sevenCodes = codes(seven.diagnostics);
    const sixShapes = new Map(six.workers.map((w) => [w.className, JSON.stringify(canonicalArgs(w.args))]));
    const sevenShapes = new Map(
      seven.workers.map((w) => [w.className, JSON.stringify(canonicalArgs(w.args))]),
    );
    const problems = [];
    // A worker TS 6 rejects for another rule (its options, its name, not exported) is not the JSON rule's business;
    // a JSON-rule rejection shows in the codes per file below.
    for (const name of new Set([...sixShapes.keys(), ...sevenShapes.keys()])) {
      if (!sixShapes.has(name)) continue;
      total++;
      if (sixShapes.get(name) === sevenShapes.get(name)) agree++;
      else
        problems.push(
          `worker ${name}: TS6 ${sixShapes.get(name) ?? 'rejected'} / TS7 ${sevenShapes.get(name) ?? 'rejected'}`,
        );
    }
    for (const file of new Set([...sixCodes.keys(), ...sevenCodes.keys()])) {
      const a = (sixCodes.get(file) ?? []).join(',');
      const b = (sevenCodes.get(file) ?? []).join(',');
      total++;
      if (a === b) agree++;
      else problems.push(`codes in ${file}: TS6 [${a}] / TS7 [${b}]`);
    }
    // The type texts in the messages: TS 7's typeToString against the words TS 6's diagnostics print.
    for (const d of seven.diagnostics) {
      const text = d.detail?.split(': ').slice(1).join(': ');
      if (!text || d.code === Code.Unresolved) continue; // TS 6 names the unresolved names instead
      texts.total++;
      const file = path.relative(dir, d.file);
      if (six.diagnostics.some((x) => path.relative(dir, x.file) === file && x.message.includes(text)))
        texts.same++;
      else texts.differ.push(`${path.basename(dir)}/${file}: ${text}`);
    }
    const sixCount = [...sixCodes.values()].flat().length;
    const sevenCount = [...sevenCodes.values()].flat().length;
    const line =
      `${path.basename(dir)}: accepted ${six.workers.length} (TS 6) / ${seven.workers.length} (TS 7), ` +
      `JSON-rule diagnostics ${sixCount} / ${sevenCount}: ${problems.length === 0 ? 'agree' : 'DISAGREE'}`;
    console.log(line);
    for (const p of problems) console.log(`  ${p}`);
    if (problems.length > 0) disagreements.push(path.basename(dir));
  }
  console.log(
    `\n${agree}/${total} checks agree; projects that disagree: ${disagreements.join(', ') || 'none'}`,
  );
  console.log(
    `type texts in the messages: ${texts.same}/${texts.total} printed as TS 6 prints them; the others:`,
  );
  for (const line of texts.differ) console.log(`  ${line}`);
}

// ---- bench ----------------------------------------------------------------------------------------------

function timeRun(args, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  return { seconds, stdout: result.stdout };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const loadAverage = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

async function bench(flags) {
  const { writeSyntheticProject } = await import(path.join(root, 'bench/gen.mjs'));
  const dir = flags.dir ?? mkdtempSync(path.join(tmpdir(), 'sidepunch-ts7-probe-'));
  const workers = flags.workers ?? 2000;
  const runs = flags.runs ?? 3;
  if (!existsSync(path.join(dir, 'src/workers'))) writeSyntheticProject(dir, workers);
  const self = fileURLToPath(import.meta.url);
  const gen = path.join(root, 'bin/sidepunch-gen.js');
  const tsc7 = path.join(root, 'node_modules/typescript-native/bin/tsc');
  const steps = {
    'tsc --noEmit (TypeScript 7)': () => timeRun([tsc7, '--noEmit', '-p', 'tsconfig.json'], dir),
    'TS 7 API probe, batched': () => timeRun([self, 'analyze', dir], dir),
    'TS 7 API probe + registry bundle': () => timeRun([self, 'analyze', dir, '--registry'], dir),
    ...(flags.skipNaive
      ? {}
      : { 'TS 7 API probe, naive (per worker)': () => timeRun([self, 'analyze', dir, '--naive'], dir) }),
    'sidepunch-gen --no-cache (TypeScript 6)': () => timeRun([gen, '--no-cache'], dir),
  };
  console.log(`project: ${dir} (${workers} workers); load average at the start: ${loadAverage()}`);
  timeRun([gen, '--no-cache'], dir); // warm-up: the stubs exist for tsc, the disk cache is warm
  const timings = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
  const names = Object.keys(steps);
  let summary;
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + run) % names.length];
      const { seconds, stdout } = steps[name]();
      timings[name].push(seconds);
      if (name.includes('registry')) summary = stdout;
      if (name.includes('registry') && !stdout.includes('equals'))
        throw new Error(`the registry differs:\n${stdout}`);
    }
    console.log(`  round ${run + 1}: load average ${loadAverage()}`);
  }
  const tsc = median(timings['tsc --noEmit (TypeScript 7)']);
  for (const [name, values] of Object.entries(timings)) {
    const m = median(values);
    console.log(
      `${name.padEnd(42)} median ${m.toFixed(2)} s  (${values.map((v) => v.toFixed(2)).join(', ')})  ${(m / tsc).toFixed(2)}× tsc 7`,
    );
  }
  console.log(`load average at the end: ${loadAverage()}\n\nlast batched probe run:\n${summary}`);
  if (!flags.dir) rmSync(dir, { recursive: true, force: true });
}

// ---- main -----------------------------------------------------------------------------------------------

async function main(argv) {
  const [command, ...rest] = argv;
  const flags = { positional: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--naive') flags.naive = true;
    else if (arg === '--registry') flags.registry = true;
    else if (arg === '--skip-naive') flags.skipNaive = true;
    else if (arg === '--workers') flags.workers = Number(rest[++i]);
    else if (arg === '--runs') flags.runs = Number(rest[++i]);
    else if (arg === '--dir') flags.dir = path.resolve(rest[++i]);
    else flags.positional.push(path.resolve(arg));
  }
  if (command === 'analyze') {
    const started = performance.now();
    const dir = flags.positional[0] ?? process.cwd();
    const result = analyze(dir, { naive: flags.naive });
    const codes = {};
    for (const d of result.diagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
    console.log(
      `${result.found.length} workers found, ${result.workers.length} accepted, ${result.diagnostics.length} problems ${JSON.stringify(codes)}, ` +
        `${Object.keys(result.shapes).length} named shapes, ${result.syntax} syntax errors; ${result.requests} requests in ` +
        `${((performance.now() - started) / 1000).toFixed(2)} s; the process started ${process.uptime().toFixed(2)} s ago ` +
        `(${(started / 1000).toFixed(2)} s before the analysis: node and the modules)`,
    );
    for (const [phase, ms] of result.phases) console.log(`  ${phase}: ${ms.toFixed(0)} ms`);
    console.log(`  requests by method: ${JSON.stringify(result.counts)}`);
    if (result.timing) {
      const t = result.timing;
      console.log(
        `  timing (PROBE_TIMING): ${t.requestCount} requests, round trips ${t.roundTripMs.toFixed(0)} ms, of which the ` +
          `server's ${t.serverTimeMs.toFixed(0)} ms and transport ${t.transportOverheadMs.toFixed(0)} ms; ` +
          `${(t.bytesReceived / 1e6).toFixed(1)} MB received`,
      );
    }
    if (flags.registry) await emitRegistry(dir, result, started);
  } else if (command === 'compare') {
    const dirs =
      flags.positional.length > 0
        ? flags.positional
        : readdirSync(path.join(root, 'fixtures/workers'))
            .map((name) => path.join(root, 'fixtures/workers', name))
            .filter((dir) => statSync(dir).isDirectory() && existsSync(path.join(dir, 'tsconfig.json')));
    await compare(dirs);
  } else if (command === 'bench') {
    await bench(flags);
  } else {
    process.stderr.write(
      'usage: node bench/ts7-api-probe.mjs analyze <dir> [--naive] | compare [<dir>…] | bench [--workers N] [--runs N] [--dir D]\n',
    );
    process.exitCode = 2;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
