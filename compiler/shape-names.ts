/**
 * The names of recursive shapes, from the shapes alone, so that a run reusing earlier results (reuse.ts) names
 * them as a cold run does. Before, a worker's record kept `Tree2` after the other `Tree` was gone, where a cold
 * run said `Tree`.
 *  1. The JSON rule names each recursive type `<base>#<n>` (serializable.ts): n only tells apart the types of one
 *     analysis, and the records between runs keep these names.
 *  2. Named shapes of one base that are the same, refs followed, become one: a type reached by a reused and a
 *     re-analyzed worker was named in each analysis.
 *  3. Walking the arguments in order (workers sorted by name), depth first, the first shape of a base met is
 *     `<base>`, the next `<base>2`, and so on, past the names that are another shape's base.
 * Renaming changes a union's canonical order, so the result is put in canonical order again.
 */
import { canonicalArgs, canonicalShape } from './canonical-shape.js';
import type { ArgsShape, Shape, ShapeTable } from './shape.js';

const SEPARATOR = '#';

/** The JSON rule's name for the `n`th recursive type it named from `base`. */
export function analysisName(base: string, n: number): string {
  return `${base}${SEPARATOR}${n}`;
}

/** Argument lists (in worker order) and the table their refs point into, with the final names. */
export function nameShapes(
  args: readonly ArgsShape[],
  table: ShapeTable,
): { args: ArgsShape[]; shapes: ShapeTable } {
  const sameAs = equivalence(table);
  const order = new Map<string, number[]>(); // base → its classes, in the order first met
  const representative = new Map<number, string>();
  const visit = (shape: Shape): void => {
    for (const child of children(shape)) {
      if (typeof child === 'object' && 'ref' in child) {
        const id = sameAs.get(child.ref)!;
        if (representative.has(id)) continue;
        representative.set(id, child.ref);
        const base = baseOf(child.ref);
        order.set(base, [...(order.get(base) ?? []), id]);
        visit(table[child.ref]!);
      } else visit(child);
    }
  };
  for (const list of args) visit(list);
  for (const name of Object.keys(table).sort()) {
    if (!representative.has(sameAs.get(name)!)) visit({ union: [{ ref: name }] });
  }

  const finalName = new Map<number, string>();
  const taken = new Set(order.keys());
  for (const base of [...order.keys()].sort()) {
    const [first, ...others] = order.get(base)!;
    finalName.set(first!, base);
    let n = 2;
    for (const id of others) {
      while (taken.has(`${base}${n}`)) n++;
      taken.add(`${base}${n}`);
      finalName.set(id, `${base}${n}`);
    }
  }
  const rename = (name: string) => finalName.get(sameAs.get(name)!)!;
  const shapes: Record<string, Shape> = {};
  for (const [id, name] of representative) {
    shapes[finalName.get(id)!] = canonicalShape(mapRefs(table[name]!, rename));
  }
  return { args: args.map((list) => canonicalArgs(mapRefs(list, rename) as ArgsShape)), shapes };
}

function baseOf(name: string): string {
  const at = name.lastIndexOf(SEPARATOR);
  return at < 0 ? name : name.slice(0, at);
}

/**
 * Which named shapes are the same (a number per class): first by base and by the shape with each ref read as
 * its base, then split while two of a class refer, at the same places, to shapes of different classes.
 */
function equivalence(table: ShapeTable): Map<string, number> {
  const names = Object.keys(table);
  let classes = numbered(
    names,
    (name) => `${baseOf(name)}\0${JSON.stringify(mapRefs(table[name]!, baseOf))}`,
  );
  const refs = new Map(names.map((name) => [name, refsOf(table[name]!)]));
  for (;;) {
    const current = classes;
    const refined = numbered(names, (name) =>
      [current.get(name), ...refs.get(name)!.map((ref) => current.get(ref))].join(','),
    );
    if (new Set(refined.values()).size === new Set(current.values()).size) return refined;
    classes = refined;
  }
}

function numbered(names: readonly string[], keyOf: (name: string) => string): Map<string, number> {
  const ids = new Map<string, number>();
  return new Map(
    names.map((name) => {
      const key = keyOf(name);
      if (!ids.has(key)) ids.set(key, ids.size);
      return [name, ids.get(key)!];
    }),
  );
}

/**
 * A shape's parts in a fixed order; a union's members sorted with each ref read as its base, since the canonical
 * order (canonical-shape.ts) compared the analysis's own names.
 */
function children(shape: Shape): Shape[] {
  if (typeof shape === 'string' || 'literal' in shape || 'pattern' in shape || 'ref' in shape) return [];
  if ('array' in shape) return [shape.array];
  if ('record' in shape) return [shape.record];
  if ('tuple' in shape) return [...shape.tuple, ...(shape.rest !== undefined ? [shape.rest] : [])];
  if ('union' in shape) {
    const keyed = shape.union.map((member) => ({ member, key: JSON.stringify(mapRefs(member, baseOf)) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return keyed.map(({ member }) => member);
  }
  return [...Object.values(shape.object), ...(shape.index !== undefined ? [shape.index] : [])];
}

function refsOf(shape: Shape): string[] {
  return children(shape).flatMap((child) =>
    typeof child === 'object' && 'ref' in child ? [child.ref] : refsOf(child),
  );
}

function mapRefs(shape: Shape, rename: (name: string) => string): Shape {
  if (typeof shape === 'string' || 'literal' in shape || 'pattern' in shape) return shape;
  if ('ref' in shape) return { ref: rename(shape.ref) };
  if ('array' in shape) return { array: mapRefs(shape.array, rename) };
  if ('record' in shape) return { ...shape, record: mapRefs(shape.record, rename) };
  if ('tuple' in shape) {
    return {
      ...shape,
      tuple: shape.tuple.map((element) => mapRefs(element, rename)),
      ...(shape.rest !== undefined ? { rest: mapRefs(shape.rest, rename) } : {}),
    };
  }
  if ('union' in shape) return { union: shape.union.map((member) => mapRefs(member, rename)) };
  return {
    ...shape,
    object: Object.fromEntries(
      Object.entries(shape.object).map(([key, value]) => [key, mapRefs(value, rename)]),
    ),
    ...(shape.index !== undefined ? { index: mapRefs(shape.index, rename) } : {}),
  };
}
