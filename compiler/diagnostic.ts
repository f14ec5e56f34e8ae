/**
 * A compiler error as sidepunch-gen reports it: tsc's shape (file, line, column, stable code, message) plus the
 * source line for the code frame and optional related locations ("declared here"). Built from TypeScript nodes
 * here; printed by `format-diagnostics.ts`; turned into esbuild messages by the plugin.
 */
import { type Node, ts } from 'ts-morph';

/** A ts-morph node or a compiler node. */
export type AnyNode = Node | ts.Node;

export interface Location {
  /** Absolute path. */
  readonly file: string;
  /** 1-based, as tsc prints them. */
  readonly line: number;
  readonly column: number;
  readonly length: number;
  readonly lineText: string;
}

export interface Diagnostic extends Location {
  /** `SP1004`, or `TS1005` for a TypeScript error sidepunch-gen passes on. */
  readonly code: string;
  readonly message: string;
  readonly related: readonly RelatedLocation[];
}

export interface RelatedLocation extends Location {
  readonly message: string;
}

export function locationOf(node: AnyNode): Location {
  const raw = 'compilerNode' in node ? node.compilerNode : node;
  const sourceFile = raw.getSourceFile();
  const start = raw.getStart(sourceFile);
  return locationAt(sourceFile, start, Math.max(1, raw.getEnd() - start));
}

export function locationAt(sourceFile: ts.SourceFile, start: number, length: number): Location {
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(start);
  const lineStarts = sourceFile.getLineStarts();
  const lineEnd = lineStarts[line + 1] ?? sourceFile.text.length;
  const lineText = sourceFile.text.slice(lineStarts[line], lineEnd).replace(/\r?\n$/, '');
  const length_ = Math.min(length, Math.max(1, lineText.length - character));
  return { file: sourceFile.fileName, line: line + 1, column: character + 1, length: length_, lineText };
}

export function diagnosticAt(
  node: AnyNode,
  code: number,
  message: string,
  related: readonly RelatedLocation[] = [],
): Diagnostic {
  return { ...locationOf(node), code: `SP${code}`, message, related };
}

export function relatedAt(node: AnyNode, message: string): RelatedLocation {
  return { ...locationOf(node), message };
}

/** A TypeScript diagnostic (a syntax error in a worker file, a broken tsconfig) in the same shape. */
export function fromTypeScript(diagnostic: ts.Diagnostic): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const code = `TS${diagnostic.code}`;
  if (!diagnostic.file || diagnostic.start === undefined) {
    return { file: '', line: 0, column: 0, length: 0, lineText: '', code, message, related: [] };
  }
  return {
    ...locationAt(diagnostic.file, diagnostic.start, diagnostic.length ?? 1),
    code,
    message,
    related: [],
  };
}

/** Sorted by file, then position, so a run's output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}
