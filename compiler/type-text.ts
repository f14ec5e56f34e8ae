/**
 * A `perform` parameter's type, as the stubs will print it: the annotation's own text, with every name that
 * needs an import turned into a reference the stubs generator imports type-only.
 *  1. walk the annotation: type references, `typeof` queries and `import("…")` types;
 *  2. resolve each name: an import (follow it to its module), a top-level declaration of the same file (it
 *     must be exported), a type parameter of a generic base class (print the subclass's type argument, in
 *     parentheses where its operators would bind otherwise: `(string | number)[]`), or a global (kept as written);
 *  3. splice the annotation's source text: comments dropped, on one line, each reference a piece of its own.
 */
import path from 'node:path';
import { ts } from 'ts-morph';
import { Code } from './codes.js';
import { type Diagnostic, diagnosticAt } from './diagnostic.js';
import type { ModuleRef, TypeRef, TypeText } from './model.js';

/** A base class's type parameter and what the subclass passed for it. */
export type TypeArguments = ReadonlyMap<
  ts.TypeParameterDeclaration,
  { node: ts.TypeNode; scope: TypeArguments }
>;

type Piece = TypeText[number];

/** A span of the annotation's source text to print as other pieces (a space, for a comment). */
interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly pieces: readonly Piece[];
}

export class TypeTextReader {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly checker: ts.TypeChecker) {}

  read(node: ts.TypeNode, scope: TypeArguments, owner: string): TypeText {
    const sourceFile = node.getSourceFile();
    const replacements: Replacement[] = [];
    const replace = (span: ts.Node, pieces: readonly Piece[]) =>
      replacements.push({ start: span.getStart(sourceFile), end: span.getEnd(), pieces });
    const visit = (child: ts.Node): void => {
      for (const comment of commentsAround(sourceFile.text, child))
        replacements.push({ ...comment, pieces: [' '] });
      if (ts.isTypeReferenceNode(child) && ts.isIdentifier(child.typeName)) {
        const argument = this.substitution(child.typeName, scope);
        if (argument) {
          const text = this.read(argument.node, argument.scope, owner);
          return void replace(child, needsParentheses(argument.node, child) ? ['(', ...text, ')'] : text);
        }
      }
      if (ts.isImportTypeNode(child) && isRelativeImportType(child)) {
        const literal = (child.argument as ts.LiteralTypeNode).literal as ts.StringLiteral;
        const file =
          this.moduleFile(literal) ?? path.resolve(path.dirname(sourceFile.fileName), literal.text);
        replace(literal, [{ moduleOf: { file } }]);
      }
      const name = leftmostName(child);
      const ref = name && this.resolve(name, node, owner);
      if (name && ref) replace(name, [{ ref }]);
      ts.forEachChild(child, visit);
    };
    visit(node);
    return splice(sourceFile.text, node.getStart(sourceFile), node.getEnd(), replacements);
  }

  private substitution(name: ts.Identifier, scope: TypeArguments) {
    const declaration = this.checker.getSymbolAtLocation(name)?.declarations?.[0];
    if (!declaration || !ts.isTypeParameterDeclaration(declaration)) return undefined;
    return scope.get(declaration);
  }

  /** The import a name needs, or undefined when it is global or local to the annotation. */
  private resolve(name: ts.Identifier, annotation: ts.TypeNode, owner: string): TypeRef | undefined {
    const symbol = this.checker.getSymbolAtLocation(name);
    const declaration = symbol?.declarations?.[0];
    if (!symbol || !declaration) return undefined;
    if (declaration.pos >= annotation.pos && declaration.end <= annotation.end) return undefined;
    if (symbol.flags & ts.SymbolFlags.Alias) return this.fromImport(declaration, name, owner);
    if (symbol.flags & ts.SymbolFlags.TypeParameter) return undefined;
    const sourceFile = declaration.getSourceFile();
    if (sourceFile !== name.getSourceFile() || !ts.isExternalModule(sourceFile)) return undefined;
    if (!isTopLevel(declaration)) return undefined;
    const exportName = this.exportNameOf(symbol, sourceFile);
    if (exportName === undefined) {
      this.diagnostics.push(
        diagnosticAt(
          name,
          Code.TypeNotImportable,
          `Type '${name.text}' used by ${owner} is not exported from its file, so the generated stubs cannot import it. Export it.`,
        ),
      );
      return undefined;
    }
    return { module: { file: sourceFile.fileName }, name: exportName, preferred: name.text };
  }

  private fromImport(declaration: ts.Declaration, name: ts.Identifier, owner: string): TypeRef | undefined {
    let imported: string;
    let moduleSpecifier: ts.Expression;
    if (ts.isImportSpecifier(declaration)) {
      imported = (declaration.propertyName ?? declaration.name).text;
      moduleSpecifier = declaration.parent.parent.parent.moduleSpecifier;
    } else if (ts.isImportClause(declaration)) {
      imported = 'default';
      moduleSpecifier = declaration.parent.moduleSpecifier;
    } else if (ts.isNamespaceImport(declaration)) {
      imported = '*';
      moduleSpecifier = declaration.parent.parent.moduleSpecifier;
    } else {
      this.diagnostics.push(
        diagnosticAt(
          name,
          Code.TypeNotImportable,
          `Type '${name.text}' used by ${owner} comes from an import form the stubs cannot repeat. Import it with 'import type { ${name.text} } from …'.`,
        ),
      );
      return undefined;
    }
    const specifier = (moduleSpecifier as ts.StringLiteral).text;
    const module: ModuleRef = specifier.startsWith('.')
      ? {
          file:
            this.moduleFile(moduleSpecifier) ??
            path.resolve(path.dirname(name.getSourceFile().fileName), specifier),
        }
      : { specifier };
    return { module, name: imported, preferred: name.text };
  }

  private moduleFile(specifier: ts.Node): string | undefined {
    const declaration = this.checker.getSymbolAtLocation(specifier)?.valueDeclaration;
    return declaration && ts.isSourceFile(declaration) ? declaration.fileName : undefined;
  }

  private exportNameOf(symbol: ts.Symbol, sourceFile: ts.SourceFile): string | undefined {
    const moduleSymbol = this.checker.getSymbolAtLocation(sourceFile);
    if (!moduleSymbol) return undefined;
    const target = symbol.declarations?.[0];
    for (const exported of this.checker.getExportsOfModule(moduleSymbol)) {
      const resolved =
        exported.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(exported) : exported;
      if (resolved.declarations?.includes(target!)) return exported.getName();
    }
    return undefined;
  }
}

/** The identifier a type reference or `typeof` query starts with: `Filters`, `Api` in `Api.Request`. */
function leftmostName(node: ts.Node): ts.Identifier | undefined {
  let name: ts.EntityName | undefined;
  if (ts.isTypeReferenceNode(node)) name = node.typeName;
  else if (ts.isTypeQueryNode(node)) name = node.exprName;
  if (!name) return undefined;
  while (ts.isQualifiedName(name)) name = name.left;
  return name;
}

/**
 * A type argument spliced in for a type parameter keeps its meaning: a union, an intersection, a function or a
 * conditional type (anything but a primary type) goes in parentheses unless the parameter stood where any type may.
 */
function needsParentheses(argument: ts.TypeNode, parameter: ts.Node): boolean {
  const compound =
    ts.isUnionTypeNode(argument) ||
    ts.isIntersectionTypeNode(argument) ||
    ts.isFunctionTypeNode(argument) ||
    ts.isConstructorTypeNode(argument) ||
    ts.isConditionalTypeNode(argument) ||
    ts.isTypeOperatorNode(argument) ||
    ts.isInferTypeNode(argument);
  if (!compound) return false;
  const context = parameter.parent;
  const standsAlone =
    ts.isParameter(context) ||
    ts.isPropertySignature(context) ||
    ts.isIndexSignatureDeclaration(context) ||
    ts.isNamedTupleMember(context) ||
    ts.isTupleTypeNode(context) ||
    ts.isParenthesizedTypeNode(context) ||
    (ts.isTypeReferenceNode(context) && context.typeArguments?.includes(parameter as ts.TypeNode) === true);
  return !standsAlone;
}

function isTopLevel(declaration: ts.Declaration): boolean {
  const statement = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  return statement.parent === declaration.getSourceFile();
}

function isRelativeImportType(node: ts.ImportTypeNode): boolean {
  return (
    ts.isLiteralTypeNode(node.argument) &&
    ts.isStringLiteral(node.argument.literal) &&
    node.argument.literal.text.startsWith('.')
  );
}

/** Comments before and after a node: dropped from the printed type. */
function commentsAround(text: string, node: ts.Node): { start: number; end: number }[] {
  const ranges = [
    ...(ts.getLeadingCommentRanges(text, node.pos) ?? []),
    ...(ts.getTrailingCommentRanges(text, node.end) ?? []),
  ];
  return ranges.map((range) => ({ start: range.pos, end: range.end }));
}

/** The source text from start to end with the replacements applied, on one line. */
function splice(text: string, start: number, end: number, replacements: readonly Replacement[]): TypeText {
  const out: Piece[] = [];
  const pushText = (chunk: string) => {
    let flat = chunk.replace(/\s*\n\s*/g, ' ');
    const last = out[out.length - 1];
    if (typeof last === 'string' && last.endsWith(' ')) flat = flat.trimStart();
    if (!flat) return;
    if (typeof last === 'string') out[out.length - 1] = last + flat;
    else out.push(flat);
  };
  let at = start;
  const ordered = [...replacements]
    .filter((replacement) => replacement.start >= start && replacement.end <= end)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  for (const replacement of ordered) {
    if (replacement.start < at) continue; // inside one already applied, or a comment seen twice
    pushText(text.slice(at, replacement.start));
    for (const piece of replacement.pieces) {
      if (typeof piece === 'string') pushText(piece);
      else out.push(piece);
    }
    at = replacement.end;
  }
  pushText(text.slice(at, end));
  const first = out[0];
  if (typeof first === 'string') out[0] = first.trimStart();
  const last = out[out.length - 1];
  if (typeof last === 'string') out[out.length - 1] = last.replace(/\s+$/, '');
  return out;
}
