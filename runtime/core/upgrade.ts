/**
 * A job's arguments against its worker's generations (sidepunch.shapes.json, docs/deploys.md), before it runs:
 *  1. arguments that pass the current validator fit as they are;
 *  2. else the newest old generation whose validator they pass is the one they were pushed with;
 *  3. from there, each step runs in turn: `sidepunchUpgrades[g]` (from generation g), or `sidepunchUpgrade` for the
 *     step into the current generation; a missing step, a throwing one, or a result the current validator refuses
 *     rejects the job, saying why;
 *  4. arguments that fit no generation are rejected with the current validator's reason; a validator that throws
 *     (out of stack on arguments nested too deep for its recursion) rejects them.
 * Pure apart from calling the steps; the executor runs it for each job, the in-flight check for each stored one.
 */
import { type ArgsValidator, lookupValidator, type Registry } from './registry.js';
import type { WorkerClass } from './worker.js';

export type ArgsVerdict =
  | { readonly kind: 'fits' }
  | { readonly kind: 'upgraded'; readonly from: number; readonly args: unknown[] }
  | {
      readonly kind: 'rejected';
      /** Why the current validator refuses them. */
      readonly problem: string;
      /** The old generation they fit, when one does, and why they could not be upgraded from it. */
      readonly generation?: number;
      readonly why?: string;
    };

export function checkArgs(
  registry: Registry,
  workerClass: WorkerClass | undefined,
  className: string,
  args: readonly unknown[],
): ArgsVerdict {
  const validator = lookupValidator(registry, className);
  const problem = validator && validate(validator, args);
  if (problem === undefined) return { kind: 'fits' };
  const generations =
    registry.generations && Object.hasOwn(registry.generations, className)
      ? registry.generations[className]
      : undefined;
  const fitting = generations?.old
    .filter((old) => validate(old.validator, args) === undefined)
    .sort((a, b) => b.generation - a.generation)[0];
  if (!generations || !fitting) return { kind: 'rejected', problem };
  const from = fitting.generation;
  let upgraded: unknown = args;
  for (let generation = from; generation < generations.current; generation++) {
    const step = workerClass && stepFrom(workerClass, generation, generations.current);
    if (!step) {
      const why = `${className} has no upgrade step from generation ${generation}${generation === generations.current - 1 ? ' (static sidepunchUpgrade)' : ` (static sidepunchUpgrades[${generation}])`}`;
      return { kind: 'rejected', problem, generation: from, why };
    }
    try {
      upgraded = step(upgraded);
    } catch (error) {
      const why = `its upgrade step from generation ${generation} threw: ${error instanceof Error ? error.message : String(error)}`;
      return { kind: 'rejected', problem, generation: from, why };
    }
    if (!Array.isArray(upgraded)) {
      return {
        kind: 'rejected',
        problem,
        generation: from,
        why: `its upgrade step from generation ${generation} returned no argument list`,
      };
    }
  }
  const still = validate(validator as ArgsValidator, upgraded as unknown[]);
  if (still !== undefined) {
    return { kind: 'rejected', problem, generation: from, why: `upgraded, they still do not fit: ${still}` };
  }
  return { kind: 'upgraded', from, args: upgraded as unknown[] };
}

/**
 * The validator's verdict; one that throws rejects the arguments: a validator of a recursive type runs out of stack
 * on arguments nested thousands deep, and would at every run of the job.
 */
function validate(validator: ArgsValidator, args: readonly unknown[]): string | undefined {
  try {
    return validator(args);
  } catch (error) {
    return `args could not be checked (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`;
  }
}

/** A rejection in one line: the validator's reason, and the generation the arguments fit when one does. */
export function describeRejection(verdict: Extract<ArgsVerdict, { kind: 'rejected' }>): string {
  return verdict.generation === undefined
    ? verdict.problem
    : `${verdict.problem} (they fit generation ${verdict.generation} of its arguments, but ${verdict.why})`;
}

function stepFrom(
  workerClass: WorkerClass,
  generation: number,
  current: number,
): ((args: unknown) => unknown) | undefined {
  const steps = workerClass.sidepunchUpgrades as Record<number, unknown> | undefined;
  const older = steps && Object.hasOwn(steps, generation) ? steps[generation] : undefined;
  if (typeof older === 'function') return (args) => older.call(workerClass, args);
  const latest = (workerClass as { sidepunchUpgrade?: unknown }).sidepunchUpgrade;
  if (generation === current - 1 && typeof latest === 'function')
    return (args) => latest.call(workerClass, args);
  return undefined;
}
