/**
 * NaN, Infinity and -Infinity: JSON.stringify writes them as `null`, so a job pushed with one would reach its
 * worker with a null (which its validator rejects). The client, a workflow's push and a batch's callbacks look for
 * them only when the JSON they wrote has a `null`, so pushes without one pay nothing.
 */

/** Where in `value` the first non-finite number is, and what it is: `args[1].scores[0] is NaN, …`. */
export function nonFiniteNumberIn(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON turns into null`;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonFiniteNumberIn(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  // What JSON.stringify reads: toJSON's result, else the own enumerable properties.
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return nonFiniteNumberIn(toJson.call(value), path);
  for (const [key, field] of Object.entries(value)) {
    const found = nonFiniteNumberIn(field, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** For the JSON `text` just written from `args`: where a non-finite number turned into its `null`, if one did. */
export function nonFiniteArgument(text: string, args: unknown): string | undefined {
  return text.includes('null') ? nonFiniteNumberIn(args, 'args') : undefined;
}
