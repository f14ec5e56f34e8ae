/**
 * sidepunch-gen's deploy check, after the analysis:
 *  1. read the committed record (record.ts); a record that cannot be read is SP5003;
 *  2. per worker, compare its arguments with the newest recorded generation (classify.ts): the same or compatible
 *     → the record follows silently;
 *  3. incompatible → a new generation when the worker declares `static sidepunchUpgrade` taking the old
 *     arguments (its parameter checked against the recorded shape, its return type against the current
 *     arguments: SP5002) or when `--accept-break` names it; otherwise SP5001 at `perform`, naming the change and
 *     the ways out, and nothing is written;
 *  4. parameters that only moved while the old values still pass the new types: the runtime cannot tell such old
 *     jobs from new ones, so SP5001 offers no step and a step there is SP5002 (it would never run).
 * Works on the analysis's models, so reused (cached) workers take part like re-analyzed ones; the program is
 * read only for a worker that broke, whose file a reusing run has re-analyzed.
 */
import { type Node, type Project, ts } from 'ts-morph';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt } from '../diagnostic.js';
import type { WorkerModel } from '../model.js';
import { readIfExists } from '../outputs.js';
import { shapesReached } from '../reuse.js';
import { JsonRule } from '../serializable.js';
import type { ShapeTable, TupleShape } from '../shape.js';
import { nameShapes } from '../shape-names.js';
import { type ArgsGeneration, classifyChange, oldArgsPassNew } from './classify.js';
import {
  currentGeneration,
  type GenerationEntry,
  nextRecord,
  parseRecord,
  printRecord,
  type ShapeRecord,
  stepOf,
} from './record.js';
import { argsType } from './shape-type.js';

export interface RecordCheck {
  readonly diagnostics: readonly Diagnostic[];
  /** The record to write (when there are no diagnostics). */
  readonly record?: ShapeRecord;
  readonly output?: { readonly path: string; readonly text: string };
  /** A worker broke whose class the program does not hold (a partial program): only the whole one can answer. */
  readonly needsWholeProgram?: boolean;
}

export function checkRecord(input: {
  readonly project: Project;
  readonly workers: readonly WorkerModel[];
  readonly shapes: ShapeTable;
  /** The record's path. */
  readonly file: string;
  readonly acceptBreak: readonly string[];
  /** The program holds only the files a reusing run re-analyzed (generate.ts). */
  readonly partialProgram?: boolean;
}): RecordCheck {
  const { file } = input;
  const text = readIfExists(file);
  let previous: ShapeRecord | undefined;
  if (text !== undefined) {
    const parsed = parseRecord(text);
    if ('problem' in parsed) {
      const message = `${file} ${parsed.problem}. Restore it from version control, or delete it to start a new record (the jobs in flight are then checked against nothing).`;
      return { diagnostics: [fileDiagnostic(file, Code.RecordUnreadable, message)] };
    }
    previous = parsed;
  }
  const accepted = new Set(input.acceptBreak);
  const known = new Set(input.workers.map((worker) => worker.className));
  const unknown = input.acceptBreak.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const message = `--accept-break ${unknown.join(', ')}: no worker has ${unknown.length === 1 ? 'this class name' : 'these class names'} (workers: ${[...known].join(', ') || 'none'}).`;
    return { diagnostics: [fileDiagnostic('', Code.AcceptBreakUnknown, message)] };
  }
  const program = input.project.getProgram().compilerObject;
  const currents = new Map<string, ArgsGeneration>();
  const began = new Map<string, { since: 'upgrade' | 'break'; change: string }>();
  const diagnostics: Diagnostic[] = [];
  for (const worker of input.workers) {
    const current = currentGeneration(worker, input.shapes);
    currents.set(worker.className, current);
    const step = stepOf(previous?.workers[worker.className]?.generations, current);
    if (step.kind !== 'incompatible') continue;
    const found = findWorkerClass(input.project, worker);
    if (!found && input.partialProgram) return { diagnostics: [], needsWholeProgram: true };
    const upgrade = found && upgradeStep(program, found, step.latest, current, worker);
    // Parameters moved, old values still valid: no step can tell old jobs from new (classify.ts oldArgsPassNew).
    const indistinct = oldArgsPassNew(step.latest, current);
    if (upgrade && 'diagnostic' in upgrade) diagnostics.push(upgrade.diagnostic);
    else if (upgrade && indistinct)
      diagnostics.push(unreachableStep(worker, upgrade.at, step.latest, step.change));
    else if (upgrade) began.set(worker.className, { since: 'upgrade', change: step.change });
    else if (accepted.has(worker.className))
      began.set(worker.className, { since: 'break', change: step.change });
    else diagnostics.push(incompatible(worker, found, step.latest, step.change, indistinct));
  }
  if (diagnostics.length > 0) return { diagnostics };
  const record = nextRecord(previous, currents, (name) => began.get(name));
  return { diagnostics: [], record, output: { path: file, text: printRecord(record) } };
}

/** `indistinct`: the old jobs pass the new validator (parameters moved): no upgrade step is offered. */
function incompatible(
  worker: WorkerModel,
  found: ts.ClassLikeDeclaration | undefined,
  latest: GenerationEntry,
  change: string,
  indistinct: boolean,
): Diagnostic {
  const oldType = argsType(latest.args, latest.params);
  const name = worker.className;
  const message = indistinct
    ? `${name}.perform changed so that jobs already queued would run with their values in the wrong parameters: ${change}. ` +
      `The jobs in flight have generation ${latest.generation} of its arguments, ${oldType}, which the new arguments accept too, ` +
      'so the runtime cannot tell them from new jobs and no upgrade step can apply. Either keep the parameters where they were ' +
      '(add a new one after the others); or give the new signature a new worker class and keep this one until its jobs are gone; ' +
      `or accept the break: sidepunch-gen --accept-break ${name} (the jobs in flight then run with their values in the new places; ` +
      'sidepunch-run check cannot tell them apart either).'
    : `${name}.perform changed so that jobs already queued would be rejected: ${change}. ` +
      `The jobs in flight have generation ${latest.generation} of its arguments, ${oldType}. Either make the change compatible ` +
      `(an optional parameter, a default, a wider type); or add 'static sidepunchUpgrade(old: ${oldType}): Parameters<${name}['perform']>' ` +
      `to upgrade them; or accept the break: sidepunch-gen --accept-break ${name} (the jobs in flight then fail; sidepunch-run check lists them).`;
  const perform = found && performNode(found);
  if (perform) return diagnosticAt(perform, Code.IncompatibleArgs, message);
  return fileDiagnostic(worker.file, Code.IncompatibleArgs, message);
}

/**
 * The worker's upgrade step, when it declares one: undefined without, a diagnostic when its parameter does not
 * take the recorded generation's arguments, or when what it returns is not arguments `perform` takes now: a
 * promise (the runtime runs the step synchronously, before validation) or a list the new validator would refuse.
 */
function upgradeStep(
  program: ts.Program,
  cls: ts.ClassLikeDeclaration,
  latest: GenerationEntry,
  current: ArgsGeneration,
  worker: WorkerModel,
): { at: ts.Node } | { diagnostic: Diagnostic } | undefined {
  const member = cls.members.find(
    (node) =>
      (ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node)) &&
      node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword) &&
      node.name.getText() === 'sidepunchUpgrade',
  ) as ts.MethodDeclaration | ts.PropertyDeclaration | undefined;
  if (!member) return undefined;
  const fn = ts.isMethodDeclaration(member)
    ? member
    : member.initializer &&
        (ts.isArrowFunction(member.initializer) || ts.isFunctionExpression(member.initializer))
      ? member.initializer
      : undefined;
  if (!fn) return { at: member.name };
  const checker = program.getTypeChecker();
  // The parameter first: a step left from the last deploy takes the generation before, and its hint says where
  // an older step goes.
  const taken = fn.parameters[0] && parameterProblem(program, checker, fn.parameters[0], latest, worker);
  const problem = taken ?? returnProblem(program, checker, fn, current, worker);
  return problem ? { diagnostic: problem } : { at: member.name };
}

/** What is wrong with the step's parameter, when the recorded generation's jobs do not all fit it. */
function parameterProblem(
  program: ts.Program,
  checker: ts.TypeChecker,
  parameter: ts.ParameterDeclaration,
  latest: GenerationEntry,
  worker: WorkerModel,
): Diagnostic | undefined {
  const taken = argumentsOfType(program, checker, checker.getTypeAtLocation(parameter), latest.params);
  if (!taken) return undefined;
  const result = classifyChange(latest, taken);
  if (result.compatible) return undefined;
  return diagnosticAt(
    parameter,
    Code.UpgradeParameter,
    `${worker.className}.sidepunchUpgrade takes arguments that the jobs in flight (generation ${latest.generation}, ${argsType(latest.args, latest.params)}) do not all fit: ${result.change}. ` +
      `Type its parameter as that generation's arguments (the stubs export them as ${worker.className}ArgsV${latest.generation} once recorded); an older step belongs in 'static sidepunchUpgrades = { <generation>: … }'.`,
  );
}

/** What is wrong with what the step returns, when it cannot be `perform`'s current arguments. */
function returnProblem(
  program: ts.Program,
  checker: ts.TypeChecker,
  fn: ts.SignatureDeclaration,
  current: ArgsGeneration,
  worker: WorkerModel,
): Diagnostic | undefined {
  const signature = checker.getSignatureFromDeclaration(fn);
  if (!signature) return undefined;
  const returnType = signature.getReturnType();
  const at = fn.type ?? fn.name ?? fn;
  const name = worker.className;
  const newType = argsType(current.args, current.params);
  if (checker.getAwaitedType(returnType) !== returnType) {
    return diagnosticAt(
      at,
      Code.UpgradeParameter,
      `${name}.sidepunchUpgrade returns a promise (${checker.typeToString(returnType)}): the runtime runs the step before validating the job, without awaiting it, so every old job would be rejected. Return the new arguments, ${newType}, synchronously.`,
    );
  }
  const given = argumentsOfType(program, checker, returnType, current.params);
  if (!given) return undefined;
  const result = classifyChange(given, current);
  if (result.compatible) return undefined;
  return diagnosticAt(
    at,
    Code.UpgradeParameter,
    `${name}.sidepunchUpgrade returns ${argsType(given.args, given.params)}, which ${name}.perform's arguments ${newType} do not all take (${result.change}): the upgraded jobs would be rejected. Return ${newType} (Parameters<${name}['perform']>).`,
  );
}

/** An upgrade step the runtime would never apply: the old jobs pass the new validator, so they are run as they are. */
function unreachableStep(
  worker: WorkerModel,
  at: ts.Node,
  latest: GenerationEntry,
  change: string,
): Diagnostic {
  const name = worker.className;
  return diagnosticAt(
    at,
    Code.UpgradeParameter,
    `${name}.sidepunchUpgrade would never run: the jobs in flight (generation ${latest.generation}, ${argsType(latest.args, latest.params)}) ` +
      `pass the new arguments' validator too (${change}), and the runtime upgrades only jobs that fit an old generation and not ` +
      'the current one. Keep the parameters where they were (add a new one after the others), give the new signature a new ' +
      `worker class, or accept the break: sidepunch-gen --accept-break ${name}.`,
  );
}

/** The class a worker model came from, in the loaded program (its file is there whenever its shape changed). */
function findWorkerClass(project: Project, worker: WorkerModel): ts.ClassLikeDeclaration | undefined {
  const sourceFile = project.getSourceFile(worker.file);
  if (!sourceFile) return undefined;
  const declarations = sourceFile.getExportedDeclarations().get(worker.exportName) ?? [];
  for (const declaration of declarations) {
    const node = classIn(declaration);
    if (node) return node;
  }
  return undefined;
}

function classIn(declaration: Node): ts.ClassLikeDeclaration | undefined {
  let node: ts.Node = declaration.compilerNode;
  if (ts.isVariableDeclaration(node) && node.initializer) node = node.initializer;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) node = node.expression;
  return ts.isClassDeclaration(node) || ts.isClassExpression(node) ? node : undefined;
}

function performNode(cls: ts.ClassLikeDeclaration): ts.Node | undefined {
  const perform = cls.members.find(
    (member) => ts.isMethodDeclaration(member) && member.name.getText() === 'perform',
  ) as ts.MethodDeclaration | undefined;
  return perform?.name ?? cls.name;
}

function fileDiagnostic(file: string, code: number, message: string): Diagnostic {
  return {
    file,
    line: file ? 1 : 0,
    column: 1,
    length: 1,
    lineText: '',
    code: `SP${code}`,
    message,
    related: [],
  };
}

/** A type read as an argument list, named as a recorded generation is; undefined when it is not a JSON tuple. */
function argumentsOfType(
  program: ts.Program,
  checker: ts.TypeChecker,
  type: ts.Type,
  params: ArgsGeneration['params'],
): ArgsGeneration | undefined {
  const rule = new JsonRule(program, checker);
  const reading = rule.readValue(type);
  if (!reading.shape || typeof reading.shape !== 'object' || !('tuple' in reading.shape)) return undefined;
  const named = nameShapes([reading.shape as TupleShape], rule.shapes);
  return {
    args: named.args[0] as TupleShape,
    shapes: shapesReached(named.args[0]!, named.shapes),
    params,
  };
}
