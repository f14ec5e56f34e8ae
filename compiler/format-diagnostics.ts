/**
 * Prints diagnostics as tsc's pretty output does: `path:line:col - error CODE: message`, the source line with
 * its gutter and `~` under the span, related locations indented below, and tsc's closing "Found N errors" lines.
 * Paths are relative to the working directory; color only when asked (a terminal without NO_COLOR).
 */
import path from 'node:path';
import type { Diagnostic, Location } from './diagnostic.js';

export interface FormatOptions {
  readonly cwd: string;
  readonly color?: boolean;
  /** tsc's closing "Found N errors" lines (default true); `--watch` prints its own watch line instead, as tsc's does. */
  readonly summary?: boolean;
}

const STYLE = {
  red: '\u001b[91m',
  yellow: '\u001b[93m',
  cyan: '\u001b[96m',
  grey: '\u001b[90m',
  gutter: '\u001b[7m',
};
const RESET = '\u001b[0m';

export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: FormatOptions): string {
  const paint = (text: string, style: keyof typeof STYLE) =>
    options.color ? `${STYLE[style]}${text}${RESET}` : text;
  const where = (location: Location) =>
    `${paint(relativePath(location.file, options.cwd), 'cyan')}:${paint(String(location.line), 'yellow')}:${paint(String(location.column), 'yellow')}`;
  let out = '';
  for (const diagnostic of diagnostics) {
    const header = `${paint('error', 'red')} ${paint(`${diagnostic.code}:`, 'grey')} ${diagnostic.message}`;
    if (!diagnostic.file) {
      out += `${header}\n\n`;
      continue;
    }
    out += `${where(diagnostic)} - ${header}\n\n${codeFrame(diagnostic, '', paint)}\n`;
    for (const related of diagnostic.related) {
      out += `  ${where(related)}\n${codeFrame(related, '    ', paint)}    ${related.message}\n\n`;
    }
  }
  return options.summary === false ? out : out + summary(diagnostics, options.cwd);
}

function codeFrame(
  location: Location,
  indent: string,
  paint: (text: string, style: keyof typeof STYLE) => string,
) {
  const lineNumber = String(location.line);
  const lineText = location.lineText.trimEnd().replace(/\t/g, ' ');
  const lead = lineText.slice(0, location.column - 1).replace(/\S/g, ' ');
  const squiggle = '~'.repeat(Math.max(1, Math.min(location.length, lineText.length - lead.length)));
  return (
    `${indent}${paint(lineNumber, 'gutter')} ${lineText}\n` +
    `${indent}${paint(' '.repeat(lineNumber.length), 'gutter')} ${lead}${paint(squiggle, 'red')}\n`
  );
}

/** tsc's closing lines: one file, or a table of files with their first error line. */
export function summary(diagnostics: readonly Diagnostic[], cwd: string): string {
  if (diagnostics.length === 0) return '';
  const files = new Map<string, { count: number; line: number }>();
  for (const diagnostic of diagnostics) {
    const key = diagnostic.file ? relativePath(diagnostic.file, cwd) : '';
    const entry = files.get(key);
    if (entry) entry.count++;
    else files.set(key, { count: 1, line: diagnostic.line });
  }
  const count = diagnostics.length;
  const errors = `${count} error${count === 1 ? '' : 's'}`;
  const [firstFile, first] = [...files][0]!;
  if (files.size === 1 && firstFile) {
    return count === 1
      ? `Found 1 error in ${firstFile}:${first.line}\n`
      : `Found ${errors} in the same file, starting at: ${firstFile}:${first.line}\n`;
  }
  if (files.size === 1) return `Found ${errors}.\n`;
  const width = String(Math.max(...[...files.values()].map((entry) => entry.count))).length;
  const header = 'Errors'.padEnd(Math.max(width, 6));
  const rows = [...files]
    .filter(([file]) => file)
    .map(([file, entry]) => `${String(entry.count).padStart(Math.max(width, 6))}  ${file}:${entry.line}`);
  return `Found ${errors} in ${files.size} files.\n\n${header}  Files\n${rows.join('\n')}\n`;
}

export function relativePath(file: string, cwd: string): string {
  return path.relative(cwd, file).split(path.sep).join('/') || file;
}
