/**
 * What the JSON rule makes of a type: a shape, or the problems found inside it (each with the path from the
 * argument down), and how readings of the parts combine into the reading of the whole.
 */
import type { ts } from 'ts-morph';
import type { Literal, Shape } from './shape.js';

export type Segment =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'element' }
  | { readonly kind: 'position'; readonly index: number }
  | { readonly kind: 'key' };

export interface Problem {
  readonly code: number;
  /** From the argument down to the offending type. */
  readonly path: readonly Segment[];
  readonly typeText: string;
  /** The innermost property on the path, for a "declared here" note. */
  readonly declaration?: ts.Declaration;
  /** Said after the problem: the others it stands for (`Geocoder, from the package geo, has 2 more members …`). */
  readonly more?: string;
}

export interface Reading {
  readonly shape?: Shape;
  readonly problems: readonly Problem[];
  /** Types still being read that this reading refers to: it is not final until they are. */
  readonly pending: ReadonlySet<ts.Type>;
}

const NONE: ReadonlySet<ts.Type> = new Set();

export function ok(shape: Shape): Reading {
  return { shape, problems: [], pending: NONE };
}

export function problem(code: number, typeText: string): Reading {
  return { problems: [{ code, path: [], typeText }], pending: NONE };
}

/** The problems of all readings, or undefined when every one has a shape. */
export function combine(readings: readonly Reading[]): Reading | undefined {
  const problems = readings.flatMap((reading) => reading.problems);
  return problems.length > 0 ? { problems, pending: pendingOf(readings) } : undefined;
}

export function pendingOf(readings: readonly Reading[]): ReadonlySet<ts.Type> {
  if (readings.every((reading) => reading.pending.size === 0)) return NONE;
  return new Set(readings.flatMap((reading) => [...reading.pending]));
}

export function nest(reading: Reading, segment: Segment, wrap: (shape: Shape) => Shape): Reading {
  if (!reading.shape) {
    return {
      problems: reading.problems.map((p) => ({ ...p, path: [segment, ...p.path] })),
      pending: reading.pending,
    };
  }
  return { shape: wrap(reading.shape), problems: [], pending: reading.pending };
}

export function atDeclaration(
  reading: Reading,
  segment: Segment,
  declaration: ts.Declaration | undefined,
): Reading {
  const nested = nest(reading, segment, (shape) => shape);
  if (!declaration) return nested;
  return {
    ...nested,
    problems: nested.problems.map((p) => (p.declaration ? p : { ...p, declaration })),
  };
}

/** Literals merge into one `literal` shape; `true | false` is `boolean`; one member is itself. */
export function unionOf(members: readonly Shape[]): Shape {
  const literals: Literal[] = [];
  const others: Shape[] = [];
  for (const member of members) {
    if (typeof member === 'object' && 'literal' in member) literals.push(...member.literal);
    else if (typeof member === 'object' && 'union' in member) others.push(...member.union);
    else if (!others.some((other) => JSON.stringify(other) === JSON.stringify(member))) others.push(member);
  }
  let values = [...new Set(literals)];
  if (values.includes(true) && values.includes(false)) {
    values = values.filter((value) => typeof value !== 'boolean');
    if (!others.includes('boolean')) others.push('boolean');
  }
  const all: Shape[] = values.length > 0 ? [{ literal: values }, ...others] : others;
  return all.length === 1 ? all[0]! : { union: all };
}
