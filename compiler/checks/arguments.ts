/**
 * Rule: every argument of `perform` survives JSON. Applies the JSON rule to each parameter (optional ones may be
 * absent; a rest parameter's elements repeat, a union of tuples gives one argument list per member) and turns
 * its problems into diagnostics that name the argument, the path inside its type and the fix, with a note where
 * the offending property is declared. A `perform` inherited from a base is reported at the worker's `extends`.
 */
import { ts } from 'ts-morph';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt, relatedAt } from '../diagnostic.js';
import type { Problem, Reading, Segment } from '../reading.js';
import { REJECTIONS } from '../rejections.js';
import type { JsonRule } from '../serializable.js';
import type { ArgsShape, Shape, TupleShape } from '../shape.js';
import type { Perform, PerformParameter } from './perform.js';

export interface Arguments {
  readonly shape?: ArgsShape;
  readonly diagnostics: readonly Diagnostic[];
}

export function checkArguments(className: string, perform: Perform, rule: JsonRule): Arguments {
  const diagnostics: Diagnostic[] = [];
  const tuple: Shape[] = [];
  let min = 0;
  let spreads: readonly TupleShape[] = [];
  for (const parameter of perform.parameters) {
    const reading = readParameter(parameter, rule);
    if (!reading.shape) {
      diagnostics.push(
        ...reading.problems.map((problem) => describe(className, perform, parameter, problem, rule.checker)),
      );
      continue;
    }
    if (!parameter.rest) {
      tuple.push(reading.shape);
      if (!parameter.optional) min = tuple.length;
      continue;
    }
    const spread = spreadsOf(reading.shape);
    if (!spread) {
      diagnostics.push(
        diagnosticAt(
          parameter.declaration.name,
          Code.Unsupported,
          `Argument '${parameter.name}' of ${className}.perform is a rest parameter the build cannot read: write its type as an array (T[]), a tuple or a union of tuples.`,
        ),
      );
      continue;
    }
    spreads = spread;
  }
  if (diagnostics.length > 0) return { diagnostics };
  if (spreads.length === 0) return { shape: { tuple, min }, diagnostics };
  // `...args: [string] | [string, number]`: one argument list per member, after the parameters before it.
  const lists = spreads.map(
    (spread): TupleShape => ({
      tuple: [...tuple, ...spread.tuple],
      min: spread.min > 0 ? tuple.length + spread.min : min,
      ...(spread.rest !== undefined ? { rest: spread.rest } : {}),
    }),
  );
  return { shape: lists.length === 1 ? lists[0]! : { union: lists }, diagnostics };
}

function readParameter(parameter: PerformParameter, rule: JsonRule): Reading {
  if (parameter.rest) return rule.readRest(parameter.type);
  if (parameter.optional) return rule.readMaybeAbsent(parameter.type).reading;
  return rule.readValue(parameter.type);
}

/**
 * A rest parameter's shape as tuple positions: `...tags: string[]` repeats, `...pair: [string, number]` adds two,
 * and a union of these gives one list per member.
 */
function spreadsOf(shape: Shape): readonly TupleShape[] | undefined {
  if (typeof shape !== 'object') return undefined;
  if ('array' in shape) return [{ tuple: [], min: 0, rest: shape.array }];
  if ('tuple' in shape) return [shape];
  if (!('union' in shape)) return undefined;
  const members = shape.union.map(spreadsOf);
  return members.every((member) => member !== undefined) ? members.flat() : undefined;
}

function describe(
  className: string,
  perform: Perform,
  parameter: PerformParameter,
  problem: Problem,
  checker: ts.TypeChecker,
): Diagnostic {
  const rejection = REJECTIONS[problem.code]!;
  const where = renderPath(parameter.name, problem.path);
  const typeText =
    problem.code === Code.Unresolved
      ? unresolvedNames(problem.declaration ?? parameter.declaration, checker)
      : problem.typeText;
  const message =
    `Argument '${parameter.name}' of ${className}.perform is not JSON-serializable: ` +
    `${where} ${rejection.what(typeText)}${problem.more ? ` (${problem.more})` : ''}. ${rejection.fix}`;
  const property = problem.path.findLast((segment) => segment.kind === 'property');
  const related =
    problem.declaration && property?.kind === 'property'
      ? [relatedAt(declarationName(problem.declaration), `'${property.name}' is declared here.`)]
      : [];
  if (!perform.inheritedFrom) return diagnosticAt(parameter.declaration.name, problem.code, message, related);
  // `perform` comes from a base class: the mistake is the subclass's type argument, so point there.
  return diagnosticAt(perform.inheritedFrom.at, problem.code, message, [
    relatedAt(
      parameter.declaration.name,
      `'${parameter.name}' is declared here, in ${perform.inheritedFrom.base}.perform.`,
    ),
    ...related,
  ]);
}

/** `'Missing'`: the names in a type annotation that resolve to nothing (a missing import, a typo). */
function unresolvedNames(declaration: ts.Declaration, checker: ts.TypeChecker): string {
  const annotation = (declaration as { type?: ts.TypeNode }).type;
  const names: string[] = [];
  const seen = new Set<ts.Node>();
  const visit = (node: ts.Node): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (ts.isTypeReferenceNode(node) && isErrorType(checker.getTypeAtLocation(node))) {
      // `type Row = Missing`: name what is missing inside the alias, not the alias.
      const alias = checker.getSymbolAtLocation(node.typeName)?.declarations?.find(ts.isTypeAliasDeclaration);
      if (alias) {
        visit(alias.type);
        return;
      }
      names.push(`'${node.typeName.getText()}'`);
    }
    ts.forEachChild(node, visit);
  };
  if (annotation) visit(annotation);
  return names.length > 0 ? [...new Set(names)].join(', ') : 'a type';
}

function isErrorType(type: ts.Type): boolean {
  return (type as { intrinsicName?: string }).intrinsicName === 'error';
}

function declarationName(declaration: ts.Declaration): ts.Node {
  const name = ts.getNameOfDeclaration(declaration);
  return name ?? declaration;
}

/** `filters.range.from`, `items[].placedAt`, `pair[1]`, `meta[string]`, `headers["content-type"]`. */
export function renderPath(root: string, path: readonly Segment[]): string {
  let text = root;
  for (const segment of path) {
    if (segment.kind === 'property') {
      if (/^[A-Za-z_$][\w$]*$/.test(segment.name)) text += `.${segment.name}`;
      else text += segment.name.startsWith('[') ? segment.name : `[${JSON.stringify(segment.name)}]`;
    } else if (segment.kind === 'element') text += '[]';
    else if (segment.kind === 'position') text += `[${segment.index}]`;
    else text += '[string]';
  }
  return text;
}
