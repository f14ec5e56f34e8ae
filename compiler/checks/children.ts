/**
 * Rule: a workflow's parent declares the children it takes as a `children` field typed `ChildResults<Fetch>` (one
 * worker class, or a union) or `ChildResults<{ Fetch: Fetch; Parse: Parse }>` (keys are the class names): the stubs
 * type its `after([...])` with those names, so a child of another class is a compile error (docs/workflows.md).
 */
import { Node, ts } from 'ts-morph';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt } from '../diagnostic.js';
import type { FoundWorker, WorkerClass } from '../discover.js';

export interface Children {
  /** The class names, sorted; undefined for a worker that declares no children. */
  readonly classes?: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

const USAGE =
  'Declare it as `declare readonly children: ChildResults<Fetch>` (or `ChildResults<{ Fetch: Fetch; Parse: Parse }>`) with worker classes, imported from sidepunch.';

/** `isWorkerClass`: whether a class implements `SidepunchWorker` (discover.ts); a class that merely has `perform` does not. */
export function readChildren(
  worker: FoundWorker,
  checker: ts.TypeChecker,
  isWorkerClass: (declaration: WorkerClass) => boolean,
): Children {
  const workerNameOf = (type: ts.Type) => workerName(type, checker, worker.declaration, isWorkerClass);
  const cls = worker.declaration;
  const instanceType = Node.isClassDeclaration(cls)
    ? cls.getType().compilerType
    : checker.getDeclaredTypeOfSymbol(cls.getSymbolOrThrow().compilerSymbol);
  const property = checker.getPropertyOfType(instanceType, 'children');
  const declaration = property?.getDeclarations()?.find(ts.isPropertyDeclaration);
  if (!declaration) return { diagnostics: [] };
  const fail = (node: ts.Node, why: string): Children => ({
    diagnostics: [
      diagnosticAt(node, Code.ChildrenDeclaration, `${worker.className}.children ${why}. ${USAGE}`),
    ],
  });
  const typeNode = declaration.type;
  if (!typeNode || !ts.isTypeReferenceNode(typeNode) || !isChildResults(typeNode.typeName, checker))
    return fail(typeNode ?? declaration.name, 'is not typed ChildResults<…>');
  const argument = typeNode.typeArguments?.[0];
  if (!argument || typeNode.typeArguments.length !== 1) return fail(typeNode, 'needs one type argument');
  const classes: string[] = [];
  if (ts.isTypeLiteralNode(argument)) {
    for (const member of argument.members) {
      const key = member.name && ts.isIdentifier(member.name) ? member.name.text : undefined;
      const valueType = ts.isPropertySignature(member) && member.type ? member.type : undefined;
      if (!key || !valueType) return fail(member, 'has a member that is not `Name: Worker`');
      const name = workerNameOf(checker.getTypeFromTypeNode(valueType));
      if (name !== key)
        return fail(
          member,
          `maps '${key}' to ${name ? `worker '${name}'` : 'a type that is not a worker class'}`,
        );
      classes.push(key);
    }
  } else {
    const type = checker.getTypeFromTypeNode(argument);
    const members = type.flags & ts.TypeFlags.Union ? (type as ts.UnionType).types : [type];
    for (const member of members) {
      const name = workerNameOf(member);
      if (!name)
        return fail(argument, `names '${checker.typeToString(member)}', which is not a worker class`);
      classes.push(name);
    }
  }
  if (classes.length === 0) return fail(argument, 'names no worker class');
  return { classes: [...new Set(classes)].sort(), diagnostics: [] };
}

function isChildResults(name: ts.EntityName, checker: ts.TypeChecker): boolean {
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol?.getName() === 'ChildResults';
}

/**
 * The wire name of a worker class's instance type: its class name (or its const's, for a class expression).
 * Undefined for a type that is not a class implementing `SidepunchWorker` (one with a `perform` is not enough).
 */
function workerName(
  type: ts.Type,
  checker: ts.TypeChecker,
  from: Node,
  isWorkerClass: (declaration: WorkerClass) => boolean,
): string | undefined {
  const declaration = type.getSymbol()?.getDeclarations()?.find(ts.isClassLike);
  if (!declaration || !checker.getPropertyOfType(type, 'perform')) return undefined;
  const morphed = from
    .getProject()
    .getSourceFile(declaration.getSourceFile().fileName)
    ?.getDescendantAtStartWithWidth(declaration.getStart(), declaration.getWidth());
  if (!(Node.isClassDeclaration(morphed) || Node.isClassExpression(morphed)) || !isWorkerClass(morphed))
    return undefined;
  if (declaration.name) return declaration.name.text;
  const holder = declaration.parent;
  return ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? holder.name.text : undefined;
}
