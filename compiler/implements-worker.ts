/**
 * Whether a class implements `SidepunchWorker`: directly, through a base class, through an interface that
 * extends it or a type alias of it, or through an aliased or re-exported import of it. A name counts when its alias chain reaches
 * sidepunch's own interface, or (when 'sidepunch' does not resolve) an import of `SidepunchWorker` from 'sidepunch'.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type ClassDeclaration,
  type ClassExpression,
  type InterfaceDeclaration,
  type Symbol as MorphSymbol,
  Node,
  type SourceFile,
  SyntaxKind,
} from 'ts-morph';

const INTERFACE = 'SidepunchWorker';
const PACKAGE = 'sidepunch';

export class WorkerInterface {
  private readonly classes = new Map<ClassDeclaration | ClassExpression, boolean>();
  private readonly symbols = new Map<MorphSymbol, boolean>();
  private readonly packageNames = new Map<string, string | undefined>();
  /** The file that declares sidepunch's SidepunchWorker, once a class was found to implement it. */
  private sidepunchFile: SourceFile | undefined;

  /** The installed sidepunch's `WorkerOptions`, declared beside `SidepunchWorker`. */
  workerOptions(): InterfaceDeclaration | undefined {
    return this.sidepunchFile?.getInterface('WorkerOptions');
  }

  isImplementedBy(declaration: ClassDeclaration | ClassExpression): boolean {
    const known = this.classes.get(declaration);
    if (known !== undefined) return known;
    this.classes.set(declaration, false); // a cycle (an error of its own) does not implement it
    const result =
      declaration.getImplements().some((clause) => this.names(clause.getExpression())) ||
      this.baseImplements(declaration);
    this.classes.set(declaration, result);
    return result;
  }

  private baseImplements(declaration: ClassDeclaration | ClassExpression): boolean {
    const base = declaration.getBaseClass();
    return base !== undefined && this.isImplementedBy(base);
  }

  /** `SidepunchWorker`, `Job` (an alias of it), `sp.SidepunchWorker`, or an interface that extends one of these. */
  private names(expression: Node): boolean {
    const symbol = expression.getSymbol();
    if (symbol && this.symbolNames(symbol)) return true;
    return this.importedByName(expression);
  }

  private symbolNames(symbol: MorphSymbol): boolean {
    const known = this.symbols.get(symbol);
    if (known !== undefined) return known;
    this.symbols.set(symbol, false);
    let result = false;
    for (const declaration of symbol.getDeclarations()) {
      if (Node.isImportSpecifier(declaration) || Node.isExportSpecifier(declaration)) {
        const from = Node.isImportSpecifier(declaration)
          ? declaration.getImportDeclaration().getModuleSpecifierValue()
          : declaration.getExportDeclaration().getModuleSpecifierValue();
        if (from === PACKAGE && declaration.getName() === INTERFACE) result = true;
      }
      if (Node.isInterfaceDeclaration(declaration)) {
        if (
          declaration.getName() === INTERFACE &&
          this.isSidepunchFile(declaration.getSourceFile().getFilePath())
        ) {
          this.sidepunchFile = declaration.getSourceFile();
          result = true;
        }
        if (declaration.getExtends().some((clause) => this.names(clause.getExpression()))) result = true;
      }
      const aliased = Node.isTypeAliasDeclaration(declaration) ? declaration.getTypeNode() : undefined;
      if (Node.isTypeReference(aliased) && this.names(aliased.getTypeName())) result = true;
    }
    const next = symbol.isAlias() ? symbol.getImmediatelyAliasedSymbol() : undefined;
    if (!result && next && next !== symbol) result = this.symbolNames(next);
    this.symbols.set(symbol, result);
    return result;
  }

  /** `sp.SidepunchWorker` with `import type * as sp from 'sidepunch'`, when the package does not resolve. */
  private importedByName(expression: Node): boolean {
    if (!Node.isPropertyAccessExpression(expression) || expression.getName() !== INTERFACE) return false;
    const namespace = expression.getExpression().getSymbol()?.getDeclarations()[0];
    return (
      Node.isNamespaceImport(namespace) &&
      namespace.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)?.getModuleSpecifierValue() === PACKAGE
    );
  }

  private isSidepunchFile(file: string): boolean {
    let dir = path.dirname(file);
    while (true) {
      if (!this.packageNames.has(dir)) this.packageNames.set(dir, readPackageName(dir));
      const name = this.packageNames.get(dir);
      if (name !== undefined) return name === PACKAGE;
      const parent = path.dirname(dir);
      if (parent === dir) return false;
      dir = parent;
    }
  }
}

function readPackageName(dir: string): string | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}
