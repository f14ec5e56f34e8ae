/**
 * Rule: a worker has exactly one `perform`, a method (the runtime calls it on the prototype), not generic, not
 * overloaded, and without an optional parameter before a required one (skipping it would send null). Reads its
 * parameters with the types the worker's class sees: a `perform` inherited from
 * `Base<Filters>` takes `Filters`, and the type arguments are kept so the stubs can print them.
 */
import { type ClassDeclaration, Node, ts } from 'ts-morph';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt } from '../diagnostic.js';
import type { FoundWorker, WorkerClass } from '../discover.js';
import type { TypeArguments } from '../type-text.js';

export interface PerformParameter {
  readonly declaration: ts.ParameterDeclaration;
  readonly name: string;
  readonly optional: boolean;
  readonly rest: boolean;
  /** As the worker's class sees it (type arguments of generic bases applied). */
  readonly type: ts.Type;
  /** The annotation allows `undefined` itself, beyond the `?` that makes the parameter optional. */
  readonly undefinedInType: boolean;
}

export interface Perform {
  readonly declaration: ts.MethodDeclaration;
  readonly parameters: readonly PerformParameter[];
  /** What it returns, as the worker's class sees it (a promise not yet unwrapped). */
  readonly returnType: ts.Type;
  /** Type arguments the annotations' type parameters stand for, when `perform` comes from a generic base. */
  readonly scope: TypeArguments;
  /** When a base class declares `perform`: the worker's `extends` clause, where diagnostics point, and the base. */
  readonly inheritedFrom?: { readonly at: ts.Node; readonly base: string };
}

export function readPerform(worker: FoundWorker, checker: ts.TypeChecker): Perform | Diagnostic {
  const { declaration: cls, className, nameNode: name } = worker;
  const instanceType = Node.isClassDeclaration(cls)
    ? cls.getType().compilerType
    : checker.getDeclaredTypeOfSymbol(cls.getSymbolOrThrow().compilerSymbol);
  const property = checker.getPropertyOfType(instanceType, 'perform');
  if (!property) {
    return diagnosticAt(
      name,
      Code.PerformMissing,
      `Worker '${className}' has no perform method. Add 'async perform(…) { … }' with the job's arguments.`,
    );
  }
  const declarations = property.getDeclarations() ?? [];
  const nonMethod = declarations.find((declaration) => !ts.isMethodDeclaration(declaration));
  if (nonMethod || declarations.length === 0) {
    return diagnosticAt(
      (nonMethod && ts.getNameOfDeclaration(nonMethod)) ?? name,
      Code.PerformMissing,
      `${className}.perform must be a method: the runtime calls it on the prototype, where a property holding a function does not exist. Write 'async perform(…) { … }'.`,
    );
  }
  if (declarations.length > 1) {
    return diagnosticAt(
      (declarations[1] as ts.MethodDeclaration).name,
      Code.PerformOverloaded,
      `${className}.perform is overloaded, but a job has one argument list. Keep one signature (use a union or an optional parameter).`,
    );
  }
  const method = declarations[0] as ts.MethodDeclaration;
  const signature = checker.getSignaturesOfType(checker.getTypeOfSymbol(property), ts.SignatureKind.Call)[0];
  if (!signature) {
    return diagnosticAt(method.name, Code.PerformMissing, `${className}.perform has no call signature.`);
  }
  if (method.typeParameters?.length || signature.getTypeParameters()?.length) {
    return diagnosticAt(
      method.typeParameters?.[0] ?? method.name,
      Code.PerformGeneric,
      `${className}.perform is generic, so the build cannot know its argument types. Replace its type parameters with concrete types.`,
    );
  }
  const declared = method.parameters.filter((parameter) => !isThisParameter(parameter));
  const parameters = declared.map((declaration, index): PerformParameter => {
    const symbol = signature.getParameters()[index];
    return {
      declaration,
      name: ts.isIdentifier(declaration.name) ? declaration.name.text : `arg${index}`,
      optional: !!declaration.questionToken || !!declaration.initializer,
      rest: !!declaration.dotDotDotToken,
      type: symbol ? checker.getTypeOfSymbol(symbol) : checker.getTypeAtLocation(declaration),
      undefinedInType: declaration.type
        ? allowsUndefined(checker.getTypeFromTypeNode(declaration.type))
        : false,
    };
  });
  const misplaced = optionalBeforeRequired(className, parameters, checker);
  if (misplaced) return misplaced;
  const heritage = cls.getExtends()?.compilerNode;
  const inheritedFrom =
    method.parent !== cls.compilerNode && heritage
      ? { at: heritage, base: (method.parent as ts.ClassLikeDeclaration).name?.text ?? 'its base class' }
      : undefined;
  return {
    declaration: method,
    parameters,
    returnType: signature.getReturnType(),
    scope: typeArgumentsUpTo(cls, method),
    ...(inheritedFrom ? { inheritedFrom } : {}),
  };
}

/**
 * `perform(mode = 'fast', id: string)`: a caller must pass `undefined` to get the default, and JSON turns it into
 * `null`, so perform would get null. (tsc itself rejects `mode?: string` there, but only when it type-checks.) A
 * rest parameter whose tuple has required elements (`...at: [x: number]`) counts as required.
 */
function optionalBeforeRequired(
  className: string,
  parameters: readonly PerformParameter[],
  checker: ts.TypeChecker,
): Diagnostic | undefined {
  const required = parameters.findLastIndex((parameter) =>
    parameter.rest ? restRequires(parameter.type, checker) : !parameter.optional,
  );
  const misplaced = parameters.slice(0, Math.max(0, required)).find((parameter) => parameter.optional);
  if (!misplaced) return undefined;
  const what = misplaced.declaration.initializer ? 'has a default value' : 'is optional';
  const after = parameters[required]!.name;
  return diagnosticAt(
    misplaced.declaration.name,
    Code.OptionalBeforeRequired,
    `Parameter '${misplaced.name}' of ${className}.perform ${what} but '${after}' after it is required: a caller would have to pass undefined for it, which JSON turns into null, so perform would get null. Move '${misplaced.name}' after the required parameters, or make it required.`,
  );
}

/** Whether a rest parameter's type needs at least one element: a tuple (or each tuple of a union) with a minimum. */
function restRequires(type: ts.Type, checker: ts.TypeChecker): boolean {
  const members = type.flags & ts.TypeFlags.Union ? (type as ts.UnionType).types : [type];
  return members.every(
    (member) => checker.isTupleType(member) && (member as ts.TupleTypeReference).target.minLength > 0,
  );
}

function allowsUndefined(type: ts.Type): boolean {
  const members = type.flags & ts.TypeFlags.Union ? (type as ts.UnionType).types : [type];
  return members.some((member) => (member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0);
}

function isThisParameter(parameter: ts.ParameterDeclaration): boolean {
  return ts.isIdentifier(parameter.name) && parameter.name.text === 'this';
}

/** Walks `extends Base<A>` from the worker up to the class that declares `perform`, pairing parameters and arguments. */
function typeArgumentsUpTo(worker: WorkerClass, method: ts.MethodDeclaration): TypeArguments {
  let scope: TypeArguments = new Map();
  let current: WorkerClass | undefined = worker;
  while (current && current.compilerNode !== method.parent) {
    const base: ClassDeclaration | undefined = current.getBaseClass();
    if (!base) break;
    const args = current.getExtends()?.getTypeArguments() ?? [];
    const next = new Map<ts.TypeParameterDeclaration, { node: ts.TypeNode; scope: TypeArguments }>();
    for (const [index, parameter] of base.getTypeParameters().entries()) {
      const node = args[index]?.compilerNode ?? parameter.compilerNode.default;
      if (node)
        next.set(parameter.compilerNode, { node, scope: node === args[index]?.compilerNode ? scope : next });
    }
    scope = next;
    current = base;
  }
  return scope;
}
