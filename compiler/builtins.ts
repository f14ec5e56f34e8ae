/**
 * Built-in objects JSON cannot carry, found by name among the standard library's (and @types/node's)
 * declarations and through base types, so `class HttpError extends Error` and `Buffer` (a Uint8Array) count too.
 * The wrapper interfaces (`Object`, `Function`, `String`, …) and `Array` are named here too: `Array` only ever
 * reaches this table as the base of another type (`interface Tags extends Array<string>`), since the JSON rule
 * reads arrays and tuples before it asks.
 */
import { ts } from 'ts-morph';
import { BUILTINS } from './builtin-codes.js';

export class Builtins {
  private readonly known = new Map<ts.Type, number | undefined>();

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  /** The rejection code when `type` is (or extends) a built-in JSON cannot carry. */
  codeOf(type: ts.Type, depth = 0): number | undefined {
    if (this.known.has(type)) return this.known.get(type);
    const code = this.lookup(type, depth);
    this.known.set(type, code);
    return code;
  }

  private lookup(type: ts.Type, depth: number): number | undefined {
    const mapped = this.mappedFrom(type);
    if (mapped) return this.codeOf(mapped, depth + 1);
    const symbol = type.getSymbol();
    const named = symbol ? BUILTINS.get(symbol.getName()) : undefined;
    if (named !== undefined && symbol && this.isStandard(symbol)) return named;
    if (depth > 8 || !(getObjectFlags(type) & (ts.ObjectFlags.ClassOrInterface | ts.ObjectFlags.Reference))) {
      return undefined;
    }
    const target = getObjectFlags(type) & ts.ObjectFlags.Reference ? (type as ts.TypeReference).target : type;
    if (!(getObjectFlags(target) & ts.ObjectFlags.ClassOrInterface)) return undefined;
    for (const base of this.checker.getBaseTypes(target as ts.InterfaceType)) {
      const code = this.codeOf(base, depth + 1);
      if (code !== undefined) return code;
    }
    return undefined;
  }

  /**
   * A class or interface of the standard library or @types/node (`URL`, `Iterable<T>`, `NodeJS.Dict<T>`), or
   * one of the user's that extends one (`interface Request extends IncomingMessage`).
   */
  isLibraryType(type: ts.Type, depth = 0): boolean {
    const mapped = this.mappedFrom(type);
    if (mapped) return true;
    const symbol = type.getSymbol();
    if (
      symbol !== undefined &&
      (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) !== 0 &&
      this.isStandard(symbol)
    ) {
      return true;
    }
    if (depth > 8) return false;
    const target = getObjectFlags(type) & ts.ObjectFlags.Reference ? (type as ts.TypeReference).target : type;
    if (!(getObjectFlags(target) & ts.ObjectFlags.ClassOrInterface)) return false;
    return this.checker
      .getBaseTypes(target as ts.InterfaceType)
      .some((base) => this.isLibraryType(base, depth + 1));
  }

  /**
   * The npm package that declares a type (`ioredis` for its `ChainableCommander`): every declaration of the type's
   * symbol is in a declaration file under node_modules. Undefined for the project's own types and the standard
   * library's.
   */
  packageOf(type: ts.Type): string | undefined {
    // A mapped type (`Partial<Geocoder>`) is declared by the standard library: its members tell whose it is.
    const declarations =
      getObjectFlags(type) & ts.ObjectFlags.Mapped
        ? this.checker.getPropertiesOfType(type).flatMap((property) => property.getDeclarations() ?? [])
        : ((type.aliasSymbol ?? type.getSymbol())?.getDeclarations() ?? []);
    const files = declarations.map((declaration) => declaration.getSourceFile());
    if (files.length === 0) return undefined;
    if (files.some((file) => !file.isDeclarationFile || this.program.isSourceFileDefaultLibrary(file)))
      return undefined;
    const names = new Set(files.map((file) => packageName(file.fileName)));
    return names.size === 1 ? [...names][0] : undefined;
  }

  /**
   * The library type a mapped type copies its members from: `Date` in `Readonly<Date>`, `DeepReadonly<Date>` or
   * `Partial<Map<K, V>>`. The mapped type's own symbol is anonymous, but each member still points at its
   * declaration in the library's interface.
   */
  mappedFrom(type: ts.Type): ts.Type | undefined {
    if (!(getObjectFlags(type) & ts.ObjectFlags.Mapped)) return undefined;
    let owner: ts.Symbol | undefined;
    for (const property of this.checker.getPropertiesOfType(type)) {
      const parent = property.declarations?.[0]?.parent;
      if (!parent || !(ts.isInterfaceDeclaration(parent) || ts.isClassDeclaration(parent)) || !parent.name) {
        return undefined;
      }
      const declared = this.checker.getSymbolAtLocation(parent.name);
      if (!declared || !this.isStandard(declared)) return undefined;
      owner ??= declared;
    }
    return owner && this.checker.getDeclaredTypeOfSymbol(owner);
  }

  /** Declared by the standard library or @types/node, not by the user's own `class Date`. */
  private isStandard(symbol: ts.Symbol): boolean {
    const declarations = symbol.getDeclarations() ?? [];
    return (
      declarations.length > 0 &&
      declarations.every((declaration) => {
        const file = declaration.getSourceFile();
        return (
          this.program.isSourceFileDefaultLibrary(file) ||
          file.fileName.includes('/node_modules/@types/node/') ||
          file.fileName.includes('/typescript/lib/lib.')
        );
      })
    );
  }
}

/** `ioredis` for `…/node_modules/ioredis/built/index.d.ts`, `@types/ws` for a scoped one; undefined outside node_modules. */
function packageName(fileName: string): string | undefined {
  const at = fileName.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const parts = fileName.slice(at + '/node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

export function getObjectFlags(type: ts.Type): ts.ObjectFlags {
  return type.flags & ts.TypeFlags.Object ? (type as ts.ObjectType).objectFlags : 0;
}
