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

/**
 * One-line texts of the objects printed so far: nested objects are measured again at every level, and a watcher
 * prints the same (reused) worker models run after run. Plain data is never mutated once printed.
 */
const flatTexts = new WeakMap<object, string>();

function printFlat(value: Data): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object' || value === null) return String(value);
  const known = flatTexts.get(value);
  if (known !== undefined) return known;
  let text: string;
  if (Array.isArray(value)) text = `[${value.map(printFlat).join(', ')}]`;
  else {
    const entries = Object.entries(value as Record<string, Data>);
    text =
      entries.length === 0
        ? '{}'
        : `{ ${entries.map(([key, item]) => `${printKey(key)}: ${printFlat(item)}`).join(', ')} }`;
  }
  flatTexts.set(value, text);
  return text;
}

export function printKey(key: string): string {
  return IDENTIFIER.test(key) ? key : quote(key);
}

export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}
