/**
 * From a loaded project to checked worker models, collecting every diagnostic of the run:
 *  1. syntax errors in the project's own files (a file that does not parse cannot be read);
 *  2. discover workers, then the rule that their names are unique;
 *  3. per worker: read `perform`, its options, its arguments and its result (the JSON rule), its parameters' type
 *     text, and the children it takes as a workflow's parent.
 * A worker with any diagnostic yields no model; the caller writes nothing when there are diagnostics at all.
 * With `only`, steps 1–3 cover those files alone (reuse.ts keeps the other files' results).
 */
import type { Project, ts } from 'ts-morph';
import { checkArguments } from './checks/arguments.js';
import { readChildren } from './checks/children.js';
import { inferredTypeText } from './checks/inferred-type.js';
import { optionRulesFor, readOptions, type Validate } from './checks/options.js';
import { readPerform } from './checks/perform.js';
import { checkResult } from './checks/result.js';
import { checkUniqueNames, uniquelyNamed } from './checks/unique-names.js';
import { compareText } from './compare-text.js';
import { type Diagnostic, fromTypeScript, sortDiagnostics } from './diagnostic.js';
import { discoverWorkers, type FoundWorker, projectSourceFiles, type WorkerClass } from './discover.js';
import type { ParameterModel, TypeText, WorkerModel } from './model.js';
import { JsonRule } from './serializable.js';
import type { ShapeTable } from './shape.js';
import { TypeTextReader } from './type-text.js';

export interface Analysis {
  readonly workers: readonly WorkerModel[];
  readonly shapes: ShapeTable;
  readonly diagnostics: readonly Diagnostic[];
}

export function analyzeProject(
  project: Project,
  options: { cwd: string; skipFiles: ReadonlySet<string>; only?: ReadonlySet<string> },
): Analysis {
  const program = project.getProgram().compilerObject;
  const checker = program.getTypeChecker();
  const { only } = options;
  const skipFiles = only
    ? new Set([
        ...options.skipFiles,
        ...projectSourceFiles(project, options.skipFiles)
          .map((sourceFile) => sourceFile.getFilePath() as string)
          .filter((file) => !only.has(file)),
      ])
    : options.skipFiles;
  const syntax = projectSourceFiles(project, skipFiles).flatMap((sourceFile) =>
    program.getSyntacticDiagnostics(sourceFile.compilerNode).map(fromTypeScript),
  );
  if (syntax.length > 0) return { workers: [], shapes: {}, diagnostics: sortDiagnostics(syntax) };

  const discovery = discoverWorkers(project, skipFiles);
  const diagnostics: Diagnostic[] = [
    ...discovery.diagnostics,
    ...checkUniqueNames(discovery.workers, options.cwd),
  ];
  const rule = new JsonRule(program, checker);
  const typeText = new TypeTextReader(checker);
  const readers: Readers = {
    rule,
    typeText,
    checker,
    optionRules: optionRulesFor(discovery.workerOptions),
    isWorkerClass: discovery.isWorkerClass,
  };
  const workers: WorkerModel[] = [];
  // Workers whose name clashes are read too, so the run reports all their mistakes at once; they yield no model.
  const unique = new Set(uniquelyNamed(discovery.workers));
  const sorted = [...discovery.workers].sort((a, b) => compareText(a.className, b.className));
  for (const worker of sorted) {
    const model = readWorker(worker, readers, diagnostics);
    if (model && unique.has(worker)) workers.push(model);
  }
  diagnostics.push(...typeText.diagnostics);
  return { workers, shapes: rule.shapes, diagnostics: sortDiagnostics(diagnostics) };
}

/** What reads a worker, shared by all of them (the JSON rule memoizes the types it has read). */
interface Readers {
  readonly rule: JsonRule;
  readonly typeText: TypeTextReader;
  readonly checker: ts.TypeChecker;
  readonly optionRules: ReadonlyMap<string, Validate>;
  readonly isWorkerClass: (declaration: WorkerClass) => boolean;
}

function readWorker(
  worker: FoundWorker,
  readers: Readers,
  diagnostics: Diagnostic[],
): WorkerModel | undefined {
  const { rule, typeText, checker } = readers;
  const before = diagnostics.length + typeText.diagnostics.length;
  const perform = readPerform(worker, checker);
  const argumentCount =
    'code' in perform || perform.parameters.some((parameter) => parameter.rest)
      ? undefined
      : perform.parameters.length;
  const options = readOptions(worker.declaration, checker, readers.optionRules, argumentCount);
  diagnostics.push(...options.diagnostics);
  if ('code' in perform) {
    diagnostics.push(perform);
    return undefined;
  }
  const args = checkArguments(worker.className, perform, rule);
  diagnostics.push(...args.diagnostics);
  diagnostics.push(...checkResult(worker.className, perform, rule));
  const children = readChildren(worker, checker, readers.isWorkerClass);
  diagnostics.push(...children.diagnostics);
  const owner = `${worker.className}.perform`;
  const parameters = perform.parameters.map((parameter): ParameterModel => {
    let type: TypeText;
    if (parameter.declaration.type) type = typeText.read(parameter.declaration.type, perform.scope, owner);
    else {
      const inferred = inferredTypeText(parameter, checker, owner);
      if ('code' in inferred) diagnostics.push(inferred);
      type = 'code' in inferred ? [] : inferred;
    }
    return {
      name: parameter.name,
      optional: parameter.optional && !parameter.rest,
      rest: parameter.rest,
      ...(parameter.undefinedInType ? { undefinedInType: true } : {}),
      type,
    };
  });
  if (!args.shape || diagnostics.length + typeText.diagnostics.length > before) return undefined;
  return {
    className: worker.className,
    file: worker.declaration.getSourceFile().getFilePath(),
    exportName: worker.exportName,
    options: options.entries,
    parameters,
    args: args.shape,
    ...(children.classes ? { children: children.classes } : {}),
  };
}
