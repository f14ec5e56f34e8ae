/**
 * Rule: `static sidepunchOptions` (on the worker or inherited from a base class) is an object literal the build
 * can read: each value written in place, or a const whose type is a literal. Each option must be a field of the
 * installed sidepunch's `WorkerOptions` (the stubs pass them to `workerStub(name, options: WorkerOptions)`) with
 * a value of its kind: known fields have tailored rules, newer ones are checked against their declared type.
 */
import { type InterfaceDeclaration, Node, ts } from 'ts-morph';
import { debounceProblem } from '../../runtime/core/debounce.js';
import { limitProblem } from '../../runtime/core/limit.js';
import { MAX_TIMEOUT_SECONDS } from '../../runtime/core/timeout.js';
import { uniqueProblem } from '../../runtime/core/unique.js';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt } from '../diagnostic.js';
import type { WorkerClass } from '../discover.js';
import type { OptionValue } from '../model.js';

export type Validate = (value: OptionValue) => string | undefined;

const nonEmptyString: Validate = (value) =>
  typeof value === 'string' && value !== '' ? undefined : 'must be a non-empty string';
const boolean: Validate = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');
const booleanOrCount: Validate = (value) =>
  typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value) && value >= 0)
    ? undefined
    : 'must be true, false or a whole number ≥ 0';
const strings: Validate = (value) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? undefined
    : 'must be an array of strings';
/** Sidekiq refuses more: `retry_for` is a relative time, not a date. */
const MAX_RETRY_FOR = 1_000_000_000;
const retryFor: Validate = (value) =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_RETRY_FOR
    ? undefined
    : 'must be a whole number of seconds from 1 to 1000000000 (how long after its first failure a job is still retried)';
const timeout: Validate = (value) =>
  typeof value === 'number' && value > 0 && value <= MAX_TIMEOUT_SECONDS
    ? undefined
    : `must be a number of seconds > 0 and at most ${MAX_TIMEOUT_SECONDS.toLocaleString('en-US')} (about 24.8 days, the longest a Node timer holds; leave it out for no timeout)`;

/** The fields of runtime/core/worker.ts `WorkerOptions`, in its order, with the values each may take. */
export const OPTION_RULES: ReadonlyMap<string, Validate> = new Map([
  ['queue', nonEmptyString],
  ['retry', booleanOrCount],
  ['retry_queue', nonEmptyString],
  ['retry_for', retryFor],
  ['dead', boolean],
  ['backtrace', booleanOrCount],
  ['tags', strings],
  ['timeout', timeout],
  ['unique', uniqueProblem],
  ['debounce', debounceProblem],
  ['limit', limitProblem],
  [
    'childDeath',
    (value) => (value === 'fail' || value === 'ignore' ? undefined : "must be 'fail' or 'ignore'"),
  ],
]);

/** The rules for the installed sidepunch's `WorkerOptions`, or the built-in ones when it does not resolve. */
export function optionRulesFor(
  workerOptions: InterfaceDeclaration | undefined,
): ReadonlyMap<string, Validate> {
  if (!workerOptions) return OPTION_RULES;
  const rules = new Map<string, Validate>();
  for (const property of workerOptions.getProperties()) {
    const name = property.getName();
    rules.set(name, OPTION_RULES.get(name) ?? ruleFromType(property.getType().compilerType));
  }
  return rules;
}

/** For a field this build has no tailored rule for: the value's kind must be one its type allows. */
function ruleFromType(type: ts.Type): Validate {
  const members = type.isUnion() ? type.types : [type];
  const kinds = new Set<string>();
  for (const member of members) {
    if (member.flags & ts.TypeFlags.StringLike) kinds.add('string');
    if (member.flags & ts.TypeFlags.NumberLike) kinds.add('number');
    if (member.flags & ts.TypeFlags.BooleanLike) kinds.add('boolean');
    if (member.flags & ts.TypeFlags.Object) kinds.add('array');
  }
  return (value) =>
    kinds.has(Array.isArray(value) ? 'array' : typeof value)
      ? undefined
      : `must be a ${[...kinds].join(' or ')}`;
}

export interface Options {
  readonly entries: readonly (readonly [string, OptionValue])[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * `argumentCount`: how many arguments `perform` takes, for the options whose `by` names argument positions;
 * undefined when any number may come (a rest parameter) or perform could not be read.
 */
export function readOptions(
  worker: WorkerClass,
  checker: ts.TypeChecker,
  rules: ReadonlyMap<string, Validate> = OPTION_RULES,
  argumentCount?: number,
): Options {
  const className = worker.getName() ?? nameOfHolder(worker) ?? 'worker';
  const declaration = findOptions(worker);
  if (!declaration) return { entries: [], diagnostics: [] };
  const notLiteral = (node: Node | ts.Node, what: string) =>
    diagnosticAt(
      node,
      Code.OptionsNotLiteral,
      `${className}.sidepunchOptions ${what}. Write an object literal of strings, numbers, booleans and arrays of strings (or consts of those), so the build can read it.`,
    );
  if (!Node.isPropertyDeclaration(declaration) || !declaration.getInitializer()) {
    return {
      entries: [],
      diagnostics: [
        notLiteral(
          Node.hasName(declaration) ? declaration.getNameNode() : declaration,
          'must be a static property with an initializer',
        ),
      ],
    };
  }
  const object = unwrap(declaration.getInitializerOrThrow().compilerNode);
  if (!ts.isObjectLiteralExpression(object)) {
    return { entries: [], diagnostics: [notLiteral(object, 'is not an object literal')] };
  }
  const entries: (readonly [string, OptionValue])[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const property of object.properties) {
    const key = property.name && propertyKey(property.name);
    if (
      key === undefined ||
      !(ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property))
    ) {
      diagnostics.push(notLiteral(property, 'has an entry that is not a plain `name: value`'));
      continue;
    }
    const expression = ts.isPropertyAssignment(property) ? property.initializer : property.name;
    const value = readValue(expression, checker);
    if (value === undefined) {
      diagnostics.push(notLiteral(expression, `sets '${key}' to an expression the build cannot evaluate`));
      continue;
    }
    const validate = rules.get(key);
    if (!validate) {
      const guess = closest(key, [...rules.keys()]);
      diagnostics.push(
        diagnosticAt(
          property.name,
          Code.UnknownOption,
          `${className}.sidepunchOptions has no option '${key}'.${guess ? ` Did you mean '${guess}'?` : ''} Options are: ${[...rules.keys()].join(', ')}.`,
        ),
      );
      continue;
    }
    const problem = validate(value) ?? positionProblem(key, value, argumentCount);
    if (problem) {
      diagnostics.push(
        diagnosticAt(
          expression,
          Code.OptionValue,
          `${className}.sidepunchOptions.${key} ${problem}, got ${shown(value)}.`,
        ),
      );
      continue;
    }
    const conflict = conflictOf(key, value, entries);
    if (conflict) {
      diagnostics.push(
        diagnosticAt(expression, Code.OptionValue, `${className}.sidepunchOptions.${key} ${conflict}.`),
      );
      continue;
    }
    entries.push([key, value]);
  }
  return { entries, diagnostics };
}

/** The options whose `by` picks arguments by position (the lock's, the pending job's or the limiter's key). */
const KEYED_BY_ARGUMENTS = new Set(['unique', 'debounce', 'limit']);

/** A `by` position perform has no argument at: every job would get `null` there, so all would share one key. */
function positionProblem(
  key: string,
  value: OptionValue,
  argumentCount: number | undefined,
): string | undefined {
  if (argumentCount === undefined || !KEYED_BY_ARGUMENTS.has(key)) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const by = (value as { readonly [field: string]: OptionValue }).by;
  if (!Array.isArray(by)) return undefined;
  const past = by.find((position) => typeof position === 'number' && position >= argumentCount);
  if (past === undefined) return undefined;
  const takes =
    argumentCount === 0
      ? 'no argument'
      : argumentCount === 1
        ? '1 argument (position 0)'
        : `${argumentCount} arguments (positions 0 to ${argumentCount - 1})`;
  return `"by" names argument position ${past}, but perform takes ${takes}`;
}

/** Options that exclude each other: a job is either unique (pushes dropped) or debounced (pushes folded). */
function conflictOf(
  key: string,
  value: OptionValue,
  earlier: readonly (readonly [string, OptionValue])[],
): string | undefined {
  const other = key === 'debounce' ? 'unique' : key === 'unique' ? 'debounce' : undefined;
  if (!other || value === false) return undefined;
  const set = earlier.some(([name, given]) => name === other && given !== false);
  return set
    ? `cannot go with '${other}': a unique job drops a second push, a debounced one folds it into the pending job; keep one`
    : undefined;
}

/** The nearest declaration of `static sidepunchOptions`, as the runtime finds it through the constructor chain. */
function findOptions(worker: WorkerClass): Node | undefined {
  for (let cls: WorkerClass | undefined = worker; cls; cls = cls.getBaseClass()) {
    const member = cls.getStaticMember('sidepunchOptions');
    if (member) return member;
  }
  return undefined;
}

/** `X` in `const X = class …`. */
function nameOfHolder(worker: WorkerClass): string | undefined {
  const parent = worker.getParent();
  return Node.isVariableDeclaration(parent) ? parent.getName() : undefined;
}

function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isParenthesizedExpression(current) ||
    ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

function propertyKey(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** A value written in place, or one the checker knows as a literal type (a const, an enum member). */
function readValue(node: ts.Expression, checker: ts.TypeChecker): OptionValue | undefined {
  const expression = unwrap(node);
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression))
    return expression.text;
  if (ts.isNumericLiteral(expression)) return Number(expression.text);
  if (expression.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (expression.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (
    ts.isPrefixUnaryExpression(expression) &&
    expression.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(expression.operand)
  ) {
    return -Number(expression.operand.text);
  }
  if (ts.isArrayLiteralExpression(expression)) {
    const items = expression.elements.map((element) => readValue(element, checker));
    if (items.every((item) => typeof item === 'string')) return items as string[];
    return items.every((item) => typeof item === 'number') ? (items as number[]) : undefined;
  }
  if (ts.isObjectLiteralExpression(expression)) return readObject(expression, checker);
  const type = checker.getTypeAtLocation(expression);
  if (type.isStringLiteral() || type.isNumberLiteral()) return type.value;
  if (type.flags & ts.TypeFlags.BooleanLiteral)
    return (type as { intrinsicName?: string }).intrinsicName === 'true';
  return undefined;
}

/** An object option (`unique: { for: 60 }`): every entry a plain `name: value` the build can read. */
function readObject(
  object: ts.ObjectLiteralExpression,
  checker: ts.TypeChecker,
): { readonly [field: string]: OptionValue } | undefined {
  const fields: Record<string, OptionValue> = {};
  for (const property of object.properties) {
    const key = property.name && propertyKey(property.name);
    if (key === undefined || !ts.isPropertyAssignment(property)) return undefined;
    const value = readValue(property.initializer, checker);
    if (value === undefined) return undefined;
    fields[key] = value;
  }
  return fields;
}

/** The known name within two edits of a misspelt one. */
/** An option's value as written, but for numbers JSON cannot write (`1e400` is Infinity). */
function shown(value: OptionValue): string {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
}

function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
