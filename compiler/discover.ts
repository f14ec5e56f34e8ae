/**
 * What workers exist: every non-abstract class in the project's own source files that implements
 * `SidepunchWorker`. A worker must have a name (its name on the wire) and be exported from the top level of its
 * module (the registry imports it from there); each violation is a diagnostic at the class.
 */
import {
  type ClassDeclaration,
  type InterfaceDeclaration,
  Node,
  type Project,
  type SourceFile,
  SyntaxKind,
  ts,
} from 'ts-morph';
import { Code } from './codes.js';
import { type Diagnostic, diagnosticAt } from './diagnostic.js';
import { WorkerInterface } from './implements-worker.js';

export interface FoundWorker {
  readonly declaration: ClassDeclaration;
  readonly className: string;
  /** The name its module exports it under: the class name, another name, or `default`. */
  readonly exportName: string;
}

export interface Discovery {
  readonly workers: readonly FoundWorker[];
  readonly diagnostics: readonly Diagnostic[];
  /** The installed sidepunch's `WorkerOptions`, when 'sidepunch' resolves. */
  readonly workerOptions?: InterfaceDeclaration;
}

export function discoverWorkers(project: Project, skipFiles: ReadonlySet<string>): Discovery {
  const workerInterface = new WorkerInterface();
  const workers: FoundWorker[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const sourceFile of projectSourceFiles(project, skipFiles)) {
    for (const declaration of candidateClasses(sourceFile)) {
      if (declaration.isAbstract() || !workerInterface.isImplementedBy(declaration)) continue;
      const className = declaration.getName();
      if (className === undefined) {
        diagnostics.push(
          diagnosticAt(
            declaration.getFirstChildByKind(SyntaxKind.ClassKeyword) ?? declaration,
            Code.AnonymousWorker,
            'A worker class needs a name: the class name is the name of the job on the wire. Name the class.',
          ),
        );
        continue;
      }
      const exportName = exportNameOf(declaration, sourceFile);
      if (exportName === undefined) {
        diagnostics.push(
          diagnosticAt(
            declaration.getNameNode() ?? declaration,
            Code.NotExported,
            `Worker '${className}' is not exported, so the registry cannot import it. ` +
              (Node.isSourceFile(declaration.getParent())
                ? "Add 'export' before 'class'."
                : 'Declare it at the top level of its module and export it.'),
          ),
        );
        continue;
      }
      workers.push({ declaration, className, exportName });
    }
  }
  return { workers, diagnostics, workerOptions: workerInterface.workerOptions() };
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

/** Classes that extend or implement something; nested ones only when the file has any (rare, and costly to wrap). */
function candidateClasses(sourceFile: SourceFile): ClassDeclaration[] {
  const nested = sourceFile.compilerNode.statements.some(containsHeritageClass);
  const classes = nested
    ? sourceFile.getDescendantsOfKind(SyntaxKind.ClassDeclaration)
    : sourceFile.getClasses();
  return classes.filter((declaration) => declaration.getHeritageClauses().length > 0);
}

function containsHeritageClass(node: ts.Node): boolean {
  return (
    ts.forEachChild(node, (child) =>
      (ts.isClassDeclaration(child) && child.heritageClauses) || containsHeritageClass(child)
        ? true
        : undefined,
    ) ?? false
  );
}

function exportNameOf(declaration: ClassDeclaration, sourceFile: SourceFile): string | undefined {
  if (!Node.isSourceFile(declaration.getParent())) return undefined;
  if (declaration.isDefaultExport()) return 'default';
  if (declaration.hasExportKeyword()) return declaration.getName();
  for (const [name, declarations] of sourceFile.getExportedDeclarations()) {
    if (declarations.includes(declaration)) return name;
  }
  return undefined;
}
