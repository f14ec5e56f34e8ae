/**
 * The compatibility of a worker's new arguments with an old generation's: would every job pushed with the old
 * shape still pass the new validator, and land in the parameters it was meant for?
 *  1. parameters are positional: one removed before others, or reordered, sends old values to the wrong
 *     parameter even when the types happen to match, so the names are compared first;
 *  2. then the argument lists' shapes (fits.ts): a required parameter added, an optional one made required, one
 *     removed, a property made required, a type narrowed (nested objects, unions, literal lists, arrays, tuples);
 *  3. a union of argument lists (a rest parameter's union of tuples) fits when each old list fits a new one.
 * Pure: golden tests cover each kind of change (test/compiler/compat/).
 */
import type { ArgsShape, ShapeTable, TupleShape } from '../shape.js';
import { type Tables, tupleFits } from './fits.js';

/** One generation of a worker's arguments, as the record keeps it. */
export interface ArgsGeneration {
  readonly args: ArgsShape;
  /** The named shapes the arguments reach. */
  readonly shapes: ShapeTable;
  /** `perform`'s parameter names in order, a rest parameter as `'...name'`. */
  readonly params: readonly string[];
}

export type Compatibility =
  | { readonly compatible: true }
  /** `change` says what breaks old jobs, in a few words: `required parameter 'locale' added`. */
  | { readonly compatible: false; readonly change: string };

export function classifyChange(old: ArgsGeneration, next: ArgsGeneration): Compatibility {
  const change = movedParameter(old.params, next.params) ?? shapeChange(old, next);
  return change === undefined ? { compatible: true } : { compatible: false, change };
}

/**
 * Whether every job of the old generation passes the new arguments' validator, wherever its values now land. When
 * it does after an incompatible change (parameters moved), the runtime cannot tell old jobs from new ones: it
 * upgrades only arguments that fit an old generation and not the current one, so an upgrade step would never run.
 */
export function oldArgsPassNew(old: ArgsGeneration, next: ArgsGeneration): boolean {
  return shapeChange(old, next) === undefined;
}

/** The first old argument list that fits none of the new ones, said in the words of parameters. */
function shapeChange(old: ArgsGeneration, next: ArgsGeneration): string | undefined {
  const tables: Tables = { old: old.shapes, new: next.shapes };
  const nameOf = parameterNamer(old.params, next.params);
  const newLists = listsOf(next.args);
  for (const list of listsOf(old.args)) {
    const failures = newLists.map((candidate) => tupleFits(list, candidate, nameOf, tables));
    if (failures.some((failure) => failure === undefined)) continue;
    return phrase(failures[0]!, old.params, next.params);
  }
  return undefined;
}

function listsOf(args: ArgsShape): readonly TupleShape[] {
  return 'union' in args ? args.union : [args];
}

/**
 * A parameter removed before others, one inserted before others, or the parameters reordered (old values would
 * reach the wrong one). A name new at a position whose old name is gone everywhere is a rename in place.
 */
function movedParameter(old: readonly string[], next: readonly string[]): string | undefined {
  const bare = (name: string) => name.replace(/^\.\.\./, '');
  const oldNames = old.map(bare);
  const newNames = next.map(bare);
  for (let i = 0; i < Math.min(oldNames.length, newNames.length); i++) {
    const [before, after] = [oldNames[i]!, newNames[i]!];
    if (before === after) continue;
    const moved = newNames.includes(before);
    if (!oldNames.includes(after)) {
      if (!moved) continue; // renamed in place
      // An optional parameter inserted before `before`, which moves down: old jobs' values land one place early.
      return `parameter '${after}' inserted before '${before}': the parameters from there move down, so old jobs' values would reach the wrong ones`;
    }
    if (!moved) {
      return `parameter '${before}' removed: the parameters after it move up, so old jobs' values would reach the wrong ones`;
    }
    return `parameters reordered: (${oldNames.join(', ')}) became (${newNames.join(', ')})`;
  }
  return undefined;
}

/** Positions named as the new signature names them, or as the old one did past its end. */
function parameterNamer(old: readonly string[], next: readonly string[]): (index: number) => string {
  return (index) => {
    return (next[index] ?? old[index] ?? next.at(-1) ?? `#${index + 1}`).replace(/^\.\.\./, '');
  };
}

/** The tuple check's reason, in the words of parameters when it is about one. */
function phrase(reason: string, old: readonly string[], next: readonly string[]): string {
  const required = /^([\w$]+): required where it was optional or absent$/.exec(reason);
  if (required) {
    const name = required[1]!;
    const existed = old.some((param) => param.replace(/^\.\.\./, '') === name);
    return existed ? `parameter '${name}' made required` : `required parameter '${name}' added`;
  }
  const removed = /^([\w$]+): removed \(old jobs may carry it\)$/.exec(reason);
  if (removed) {
    const name = old[next.length]?.replace(/^\.\.\./, '') ?? removed[1]!;
    return `parameter '${name}' removed (old jobs carry it)`;
  }
  return reason;
}
