/**
 * The testing modes' check that arguments come out of JSON as they went in: `sidepunch-gen` proves it for the
 * stubs' types, but a cast or a direct `push` can still pass a Date, a Map or an `undefined`, which Redis would
 * store as something else, or a cycle, which the real client refuses. The test then fails at the push, naming the
 * path, instead of passing in memory.
 */
import { PushError } from '../client/client.js';

export function assertJsonSafe(className: string, args: readonly unknown[]): void {
  const problem = problemIn(args, 'args', new Map());
  if (problem)
    throw new PushError(`job ${className}: ${problem}, so the worker would not get what was pushed`);
}

/** `ancestors`: the objects being walked above `value`, with their paths, so a cycle is named, not recursed into. */
function problemIn(value: unknown, path: string, ancestors: Map<object, string>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON turns into null`;
    case 'undefined':
      return `${path} is undefined, which JSON turns into null or drops`;
    case 'bigint':
      return `${path} is a bigint, which JSON cannot carry`;
    case 'function':
    case 'symbol':
      return `${path} is a ${typeof value}, which JSON drops`;
  }
  if (value === null) return undefined;
  const cycle = ancestors.get(value as object);
  if (cycle !== undefined) return `${path} is ${cycle} itself (a cycle), which JSON cannot carry`;
  ancestors.set(value as object, path);
  const problem = problemInObject(value as object, path, ancestors);
  ancestors.delete(value as object);
  return problem;
}

function problemInObject(value: object, path: string, ancestors: Map<object, string>): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = problemIn(value[i], `${path}[${i}]`, ancestors);
      if (problem) return problem;
    }
    return undefined;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = value.constructor?.name ?? 'object';
    return `${path} is a ${name}, which JSON ${turnsInto(value)}`;
  }
  for (const [key, field] of Object.entries(value)) {
    // An undefined property is dropped, which reads back the same as absent: that is how optional fields travel.
    if (field === undefined) continue;
    const problem = problemIn(field, `${path}.${key}`, ancestors);
    if (problem) return problem;
  }
  return undefined;
}

/** What JSON makes of an object that is not plain, for the message (one holding a cycle or a bigint makes nothing). */
function turnsInto(value: object): string {
  try {
    return `turns into ${JSON.stringify(value)?.slice(0, 60) ?? 'nothing'}`;
  } catch {
    return 'cannot carry';
  }
}
