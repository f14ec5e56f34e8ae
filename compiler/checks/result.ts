/**
 * Rule: what `perform` resolves to survives JSON, as its arguments must (the JSON rule, serializable.ts): a
 * workflow's parent reads its children's results from Redis (docs/workflows.md). `void`, `undefined` and `never`
 * mean "no result" and pass.
 */
import { ts } from 'ts-morph';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt } from '../diagnostic.js';
import { REJECTIONS } from '../rejections.js';
import type { JsonRule } from '../serializable.js';
import { renderPath } from './arguments.js';
import type { Perform } from './perform.js';

const NO_RESULT = ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Never;

export function checkResult(className: string, perform: Perform, rule: JsonRule): Diagnostic[] {
  const { checker } = rule;
  const result = checker.getAwaitedType(perform.returnType) ?? perform.returnType;
  const members = result.flags & ts.TypeFlags.Union ? (result as ts.UnionType).types : [result];
  if (members.every((member) => (member.flags & NO_RESULT) !== 0)) return [];
  const reading = rule.readValue(result);
  if (reading.shape) return [];
  const at = perform.inheritedFrom?.at ?? perform.declaration.type ?? perform.declaration.name;
  return reading.problems.map((problem) => {
    const rejection = REJECTIONS[problem.code]!;
    return diagnosticAt(
      at,
      Code.ResultNotSerializable,
      `The result of ${className}.perform is not JSON-serializable: ${renderPath('result', problem.path)} ` +
        `${rejection.what(problem.typeText)}${problem.more ? ` (${problem.more})` : ''}. ${rejection.fix} A workflow's parent reads the result as JSON; return nothing (void) if no parent needs it.`,
    );
  });
}
