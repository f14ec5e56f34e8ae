/**
 * Rule: a parameter with a default and no annotation (`count = 1`) gets its inferred type printed into the stubs.
 * That is sound only when the type names nothing: a named type (`mode = Mode.Fast` is `Mode`, `opts = DEFAULTS`
 * is `Opts`) would need an import the default's expression does not tell, so it is SP2014, asking for an
 * annotation, whose names the stubs import as for any other parameter.
 */
import { ts } from 'ts-morph';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt } from '../diagnostic.js';
import type { TypeText } from '../model.js';
import type { PerformParameter } from './perform.js';

export function inferredTypeText(
  parameter: PerformParameter,
  checker: ts.TypeChecker,
  owner: string,
): TypeText | Diagnostic {
  const type = checker.getWidenedType(parameter.type);
  const text = checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
  const node = checker.typeToTypeNode(type, undefined, ts.NodeBuilderFlags.NoTruncation);
  if (!node || namesAType(node)) {
    return diagnosticAt(
      parameter.declaration.name,
      Code.InferredTypeNotImportable,
      `Parameter '${parameter.name}' of ${owner} has a default but no type annotation: its type, ${text}, names a type the generated stubs would have to import, and a default does not say from where. Annotate it: '${parameter.name}: ${text} = …'.`,
    );
  }
  return [text];
}

/** A type reference, a `typeof` query or an `import(…)` type anywhere in the printed type (`Item` in `Item[]`). */
function namesAType(node: ts.Node): boolean {
  if (ts.isTypeReferenceNode(node) || ts.isTypeQueryNode(node) || ts.isImportTypeNode(node)) return true;
  return ts.forEachChild(node, namesAType) ?? false;
}
