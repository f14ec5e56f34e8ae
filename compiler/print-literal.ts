/**
 * Prints plain data (options, shapes) as a JavaScript literal the way a person would write it: single quotes,
 * bare keys where they are identifiers, on one line when it fits, else one entry per line.
 */

type Data = string | number | boolean | null | readonly Data[] | { readonly [key: string]: Data };

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function printLiteral(value: unknown, indent = '', width = 100): string {
  const data = value as Data;
  const flat = printFlat(data);
  if (flat.length + indent.length <= width || typeof data !== 'object' || data === null) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(data)) {
    return `[\n${data.map((item) => `${inner}${printLiteral(item, inner, width)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(data as Record<string, Data>);
  return `{\n${entries.map(([key, item]) => `${inner}${printKey(key)}: ${printLiteral(item, inner, width)},\n`).join('')}${indent}}`;
}

function printFlat(value: Data): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.map(printFlat).join(', ')}]`;
  const entries = Object.entries(value as Record<string, Data>);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([key, item]) => `${printKey(key)}: ${printFlat(item)}`).join(', ')} }`;
}

export function printKey(key: string): string {
  return IDENTIFIER.test(key) ? key : quote(key);
}

export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}
