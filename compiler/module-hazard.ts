/**
 * What keeps a project from the modules layout (module-tree.ts), where each module is built alone as an ES
 * module: only a bundle sees the whole program, and knows that a re-exported name is a type (to drop) or that a
 * `require` names a module it holds. The first such statement found, as one line naming its file and line, or
 * undefined. TypeScript's `isolatedModules` reports the same statements.
 */
import path from 'node:path';
import { ts } from 'ts-morph';

export function moduleLayoutHazard(program: ts.Program, projectDir: string): string | undefined {
  const checker = program.getTypeChecker();
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || sourceFile.fileName.includes('/node_modules/')) continue;
    for (const statement of sourceFile.statements) {
      const problem = statementHazard(statement, checker);
      if (problem === undefined) continue;
      const { line } = sourceFile.getLineAndCharacterOfPosition(statement.getStart(sourceFile));
      return `${path.relative(projectDir, sourceFile.fileName)}:${line + 1} ${problem}`;
    }
  }
  return undefined;
}

function statementHazard(statement: ts.Statement, checker: ts.TypeChecker): string | undefined {
  if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
    return 'uses `import … = require()`';
  }
  if (ts.isExportAssignment(statement) && statement.isExportEquals) return 'uses `export =`';
  if (!ts.isExportDeclaration(statement) || statement.isTypeOnly) return undefined;
  const clause = statement.exportClause;
  if (!clause || !ts.isNamedExports(clause)) return undefined;
  for (const element of clause.elements) {
    if (element.isTypeOnly) continue;
    let symbol = checker.getExportSpecifierLocalTargetSymbol(element);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    if (symbol && !(symbol.flags & ts.SymbolFlags.Value) && symbol.flags !== ts.SymbolFlags.None) {
      return `re-exports the type '${element.name.text}' without \`export type\``;
    }
  }
  return undefined;
}
