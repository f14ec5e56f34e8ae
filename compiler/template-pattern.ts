/**
 * A template literal type as a pattern the validators check: its texts escaped, each placeholder as the strings
 * TypeScript lets it hold. `${number}` takes what JavaScript reads as a finite number written in the usual forms
 * (`12`, `-1.5e3`, `.5`, `0x1f`), `${bigint}` an integer, `${boolean}` `true` or `false`; `${string}` and
 * anything else (`${Uppercase<string>}`) any text, so the pattern never refuses what the type allows of them.
 */
import { ts } from 'ts-morph';
import type { PatternShape } from './shape.js';

const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][\da-fA-F]+|0[oO][0-7]+|0[bB][01]+`;
const BIGINT = String.raw`-?(?:\d+|0[xX][\da-fA-F]+|0[oO][0-7]+|0[bB][01]+)`;

export function templatePattern(type: ts.TemplateLiteralType, checker: ts.TypeChecker): PatternShape {
  let pattern = escapeText(type.texts[0]!);
  for (const [i, placeholder] of type.types.entries()) {
    pattern += `(?:${placeholderPattern(placeholder)})${escapeText(type.texts[i + 1]!)}`;
  }
  return { pattern: `^${pattern}$`, like: checker.typeToString(type) };
}

function placeholderPattern(type: ts.Type): string {
  if (type.flags & ts.TypeFlags.Number) return NUMBER;
  if (type.flags & ts.TypeFlags.BigInt) return BIGINT;
  if (type.flags & ts.TypeFlags.Boolean) return 'true|false';
  if (type.flags & ts.TypeFlags.Null) return 'null';
  if (type.flags & ts.TypeFlags.Undefined) return 'undefined';
  return String.raw`[\s\S]*`;
}

function escapeText(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
