/**
 * What periodic entries the project declares (docs/periodic.md): every call of sidepunch's `periodic(…)` in the
 * project's own files. Each module that makes such calls (or imports the `PeriodicEntry` type from sidepunch) must
 * default-export its entries, which the registry imports; each call is checked as far as the build can read it:
 *  1. the name and the cron expression are string literals (the name not empty); names are unique across the
 *     project;
 *  2. the cron expression is one croner accepts as Sidepunch allows it, else SP4001 at the bad field;
 *  3. a literal `tz` is an IANA time zone.
 * The arguments are checked by TypeScript against the stubs about to be written (check-periodic-types.ts).
 */
import {
  type CallExpression,
  Node,
  type ObjectLiteralExpression,
  type Project,
  type SourceFile,
  SyntaxKind,
  ts,
} from 'ts-morph';
import { cronProblem, timeZoneProblem } from '../../runtime/core/cron.js';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt, locationAt, relatedAt } from '../diagnostic.js';
import { projectSourceFiles } from '../discover.js';

export interface PeriodicDiscovery {
  /** The modules whose default export the registry takes as periodic entries, sorted. */
  readonly modules: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

const DECLARED_IN = /[\\/]core[\\/]periodic\.(d\.ts|ts|js)$/;

export function findPeriodic(project: Project, skipFiles: ReadonlySet<string>): PeriodicDiscovery {
  const modules: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const names = new Map<string, Node>();
  for (const sourceFile of projectSourceFiles(project, skipFiles)) {
    if (!/periodic|PeriodicEntry/.test(sourceFile.getFullText())) continue;
    const calls = sourceFile
      .getDescendantsOfKind(SyntaxKind.CallExpression)
      .filter((call) => isPeriodicCall(call));
    const typed = importsEntryType(sourceFile);
    if (calls.length === 0 && !typed) continue;
    modules.push(sourceFile.getFilePath());
    if (!hasDefaultExport(sourceFile)) {
      diagnostics.push(
        diagnosticAt(
          calls[0]?.getExpression() ?? typed!,
          Code.PeriodicNotExported,
          'This module declares periodic entries but has no default export, so the registry cannot import them. ' +
            "Add 'export default [periodic(…), …]'.",
        ),
      );
    }
    for (const call of calls) diagnostics.push(...checkCall(call, names));
  }
  return { modules: modules.sort(), diagnostics };
}

function checkCall(call: CallExpression, names: Map<string, Node>): Diagnostic[] {
  const [name, cron, , , options] = call.getArguments();
  const diagnostics: Diagnostic[] = [];
  const nameText = name && literalText(name);
  if (name && (nameText === undefined || nameText === '')) {
    diagnostics.push(
      diagnosticAt(
        name,
        Code.PeriodicNotLiteral,
        nameText === ''
          ? "A periodic entry's name must be a non-empty string literal: it is its identity in Redis."
          : "A periodic entry's name must be a string literal: it is its identity in Redis.",
      ),
    );
  } else if (name && nameText !== undefined) {
    const first = names.get(nameText);
    if (first) {
      diagnostics.push(
        diagnosticAt(
          name,
          Code.PeriodicDuplicateName,
          `Two periodic entries are named '${nameText}'. Rename one.`,
          [relatedAt(first, 'The other is declared here.')],
        ),
      );
    } else names.set(nameText, name);
  }
  const cronText = cron && literalText(cron);
  if (cron && cronText === undefined) {
    diagnostics.push(
      diagnosticAt(
        cron,
        Code.PeriodicNotLiteral,
        'A cron expression must be a string literal, so the build can check it.',
      ),
    );
  } else if (cron && cronText !== undefined) {
    const problem = cronProblem(cronText);
    if (problem) {
      const sourceFile = cron.getSourceFile().compilerNode;
      diagnostics.push({
        ...locationAt(sourceFile, cron.getStart() + 1 + problem.offset, problem.length),
        code: `SP${Code.PeriodicCron}`,
        // Some of croner's messages end their sentence already.
        message: `Invalid cron expression '${cronText}': ${problem.message.replace(/\.$/, '')}.`,
        related: [],
      });
    }
  }
  if (options && Node.isObjectLiteralExpression(options)) {
    const value = initializerOf(options, 'tz');
    const zone = value && literalText(value);
    const problem = zone === undefined ? undefined : timeZoneProblem(zone);
    if (value && problem)
      diagnostics.push(diagnosticAt(value, Code.PeriodicTimeZone, `${capitalized(problem)}.`));
    const queueValue = initializerOf(options, 'queue');
    if (queueValue && literalText(queueValue) === '') {
      diagnostics.push(
        diagnosticAt(
          queueValue,
          Code.PeriodicQueue,
          "A periodic entry's queue must be a non-empty string; leave 'queue' out for the worker's own queue.",
        ),
      );
    }
  }
  return diagnostics;
}

/** The value written for `name` in an options literal (`{ tz: '…' }`), if it is written as `name: value`. */
function initializerOf(options: ObjectLiteralExpression, name: string): Node | undefined {
  const property = options.getProperty(name);
  return property && Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
}

/** `periodic(…)`, `sp.periodic(…)` or an alias of it, when it is sidepunch's (or, unresolved, imported from it). */
function isPeriodicCall(call: CallExpression): boolean {
  const callee = call.getExpression();
  const nameNode = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
  if (!Node.isIdentifier(nameNode)) return false;
  let symbol = nameNode.getSymbol();
  if (!symbol) return false;
  for (const declaration of symbol.getDeclarations()) {
    if (Node.isImportSpecifier(declaration)) {
      const from = declaration.getImportDeclaration().getModuleSpecifierValue();
      if (from === 'sidepunch' && declaration.getName() === 'periodic') return true;
    }
  }
  symbol = symbol.getAliasedSymbol() ?? symbol;
  return (
    symbol.getName() === 'periodic' &&
    symbol
      .getDeclarations()
      .some((declaration) => DECLARED_IN.test(declaration.getSourceFile().getFilePath()))
  );
}

/**
 * `import type { PeriodicEntry } from 'sidepunch'`: a module that declares no entry any more (`export default []
 * satisfies PeriodicEntry[]`) still declares the set, so a deploy removes the entries it had.
 */
function importsEntryType(sourceFile: SourceFile): Node | undefined {
  for (const declaration of sourceFile.getImportDeclarations()) {
    if (declaration.getModuleSpecifierValue() !== 'sidepunch') continue;
    const named = declaration.getNamedImports().find((specifier) => specifier.getName() === 'PeriodicEntry');
    if (named) return named;
  }
  return undefined;
}

function hasDefaultExport(sourceFile: SourceFile): boolean {
  return sourceFile.getDefaultExportSymbol() !== undefined;
}

function literalText(node: Node): string | undefined {
  const raw = node.compilerNode;
  return ts.isStringLiteral(raw) || ts.isNoSubstitutionTemplateLiteral(raw) ? raw.text : undefined;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
