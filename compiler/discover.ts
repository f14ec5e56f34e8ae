/**
 * What workers exist: every non-abstract class in the project's own source files that implements
 * `SidepunchWorker`, declared (`export class X`) or a class expression a top-level const holds
 * (`export const X = class implements …`, named X as JavaScript names it). A worker must have a name (its name on
 * the wire) and be exported from the top level of its module (the registry imports it from there); each violation
 * is a diagnostic at the class. A class expression anywhere else (returned from a function, passed to a call) is
 * not importable and is reported too.
 */
import {
  type ClassDeclaration,
  type ClassExpression,
  type InterfaceDeclaration,
  Node,
  type Project,
  type SourceFile,
  SyntaxKind,
  ts,
  type VariableDeclaration,
} from 'ts-morph';
import { Code } from './codes.js';
import { type Diagnostic, diagnosticAt } from './diagnostic.js';
import { WorkerInterface } from './implements-worker.js';

/** A worker's class: a declaration, or a class expression a top-level const holds. */
export type WorkerClass = ClassDeclaration | ClassExpression;

export interface FoundWorker {
  readonly declaration: WorkerClass;
  /** Where diagnostics about the worker point: the class's name, or the const's for an unnamed expression. */
  readonly nameNode: Node;
  readonly className: string;
  /** The name its module exports it under: the class name, another name, or `default`. */
  readonly exportName: string;
}

export interface Discovery {
  readonly workers: readonly FoundWorker[];
  readonly diagnostics: readonly Diagnostic[];
  /** The installed sidepunch's `WorkerOptions`, when 'sidepunch' resolves. */
  readonly workerOptions?: InterfaceDeclaration;
  /** Whether a class implements `SidepunchWorker` (wherever it is declared): a parent's children must. */
  readonly isWorkerClass: (declaration: WorkerClass) => boolean;
}

export function discoverWorkers(project: Project, skipFiles: ReadonlySet<string>): Discovery {
  const workerInterface = new WorkerInterface();
  const workers: FoundWorker[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const sourceFile of projectSourceFiles(project, skipFiles)) {
    for (const declaration of candidateClasses(sourceFile)) {
      if (!workerInterface.isImplementedBy(declaration)) continue;
      const found = Node.isClassDeclaration(declaration)
        ? declaredWorker(declaration, sourceFile)
        : expressionWorker(declaration, sourceFile);
      if ('code' in found) diagnostics.push(found);
      else workers.push(found);
    }
  }
  return {
    workers,
    diagnostics,
    workerOptions: workerInterface.workerOptions(),
    isWorkerClass: (declaration) => workerInterface.isImplementedBy(declaration),
  };
}

function declaredWorker(declaration: ClassDeclaration, sourceFile: SourceFile): FoundWorker | Diagnostic {
  const className = declaration.getName();
  const nameNode = declaration.getNameNode();
  if (className === undefined || !nameNode) {
    return diagnosticAt(
      declaration.getFirstChildByKind(SyntaxKind.ClassKeyword) ?? declaration,
      Code.AnonymousWorker,
      'A worker class needs a name: the class name is the name of the job on the wire. Name the class.',
    );
  }
  const exportName = exportNameOf(declaration, sourceFile);
  if (exportName === undefined) {
    return diagnosticAt(
      nameNode,
      Code.NotExported,
      `Worker '${className}' is not exported, so the registry cannot import it. ` +
        (Node.isSourceFile(declaration.getParent())
          ? "Add 'export' before 'class'."
          : 'Declare it at the top level of its module and export it.'),
    );
  }
  return { declaration, nameNode, className, exportName };
}

/** `export const X = class implements SidepunchWorker {…}`: imported as X, named as JavaScript names it. */
function expressionWorker(expression: ClassExpression, sourceFile: SourceFile): FoundWorker | Diagnostic {
  const variable =
    expression.getParentWhile((parent) => Node.isParenthesizedExpression(parent)) ?? expression;
  const holder = variable.getParent();
  const atTopLevel =
    Node.isVariableDeclaration(holder) &&
    holder.getInitializer() === variable &&
    Node.isIdentifier(holder.getNameNode()) &&
    Node.isSourceFile(holder.getVariableStatement()?.getParent());
  const written = expression.getName();
  if (!atTopLevel) {
    const what = written ? `Worker '${written}'` : 'This worker class';
    return diagnosticAt(
      expression.getNameNode() ?? expression.getFirstChildByKind(SyntaxKind.ClassKeyword) ?? expression,
      Code.NotExported,
      `${what} is a class expression inside ${placeOf(expression)}, so the registry cannot import it. ` +
        'Declare it at the top level of its module: `export class Name implements SidepunchWorker`, or `export const Name = class …`.',
    );
  }
  const className = written ?? holder.getName();
  const nameNode = expression.getNameNode() ?? holder.getNameNode();
  const exportName = exportNameOf(holder, sourceFile);
  if (exportName === undefined) {
    return diagnosticAt(
      nameNode,
      Code.NotExported,
      `Worker '${className}' is not exported, so the registry cannot import it. Add 'export' before 'const'.`,
    );
  }
  return { declaration: expression, nameNode, className, exportName };
}

function placeOf(node: Node): string {
  const container = node.getFirstAncestor(
    (ancestor) => Node.isFunctionLikeDeclaration(ancestor) || Node.isCallExpression(ancestor),
  );
  if (!container) return 'an expression';
  return Node.isCallExpression(container) ? 'a call' : 'a function';
}

/** The user's own source files: no declaration files, nothing from node_modules, not our own output. */
export function projectSourceFiles(project: Project, skipFiles: ReadonlySet<string>): SourceFile[] {
  return project
    .getSourceFiles()
    .filter(
      (sourceFile) =>
        !sourceFile.isDeclarationFile() &&
        !sourceFile.isInNodeModules() &&
        !sourceFile.isFromExternalLibrary() &&
        !skipFiles.has(sourceFile.getFilePath()),
    );
}

/**
 * Non-abstract classes that extend or implement something; nested ones and class expressions only when the file
 * has any (rare, and costly to wrap).
 */
function candidateClasses(sourceFile: SourceFile): WorkerClass[] {
  const nested = sourceFile.compilerNode.statements.some(containsHeritageClass);
  const classes: WorkerClass[] = nested
    ? [
        ...sourceFile.getDescendantsOfKind(SyntaxKind.ClassDeclaration),
        ...sourceFile.getDescendantsOfKind(SyntaxKind.ClassExpression),
      ]
    : sourceFile.getClasses();
  return classes.filter(
    (declaration) =>
      declaration.getHeritageClauses().length > 0 &&
      !(Node.isClassDeclaration(declaration) && declaration.isAbstract()),
  );
}

function containsHeritageClass(node: ts.Node): boolean {
  return (
    ts.forEachChild(node, (child) =>
      (ts.isClassLike(child) && child.heritageClauses) || containsHeritageClass(child) ? true : undefined,
    ) ?? false
  );
}

function exportNameOf(
  declaration: ClassDeclaration | VariableDeclaration,
  sourceFile: SourceFile,
): string | undefined {
  if (Node.isClassDeclaration(declaration)) {
    if (!Node.isSourceFile(declaration.getParent())) return undefined;
    if (declaration.isDefaultExport()) return 'default';
    if (declaration.hasExportKeyword()) return declaration.getName();
  }
  for (const [name, declarations] of sourceFile.getExportedDeclarations()) {
    if (declarations.includes(declaration)) return name;
  }
  return undefined;
}
