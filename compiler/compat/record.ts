/**
 * The committed record of every worker's argument shapes (`sidepunch.shapes.json` beside the stubs), reviewed in
 * pull requests like a lock file:
 *  1. one entry per worker, its generations oldest first: each the argument shape, the named shapes it reaches
 *     and `perform`'s parameter names; a later generation says how it began (`upgrade`: the worker has a step
 *     from the one before; `break`: accepted with --accept-break) and what changed;
 *  2. a compatible change rewrites the newest generation (jobs of its shape still fit), so the record only grows
 *     when jobs pushed by the old code need an upgrade or would be rejected;
 *  3. printed with sorted keys, one property per line, short leaves on one line: a change diffs as a few lines.
 * Built from the analysis alone, so a run reusing cached per-file results writes the same record as a cold one.
 */
import type { WorkerModel } from '../model.js';
import { shapesReached } from '../reuse.js';
import type { ShapeTable } from '../shape.js';
import { type ArgsGeneration, classifyChange } from './classify.js';

export const RECORD_FORMAT = 1;

export interface GenerationEntry extends ArgsGeneration {
  readonly generation: number;
  /** How a generation after the first began. */
  readonly since?: 'upgrade' | 'break';
  /** What broke the jobs of the generation before. */
  readonly change?: string;
}

export interface ShapeRecord {
  readonly format: number;
  readonly workers: Readonly<Record<string, { readonly generations: readonly GenerationEntry[] }>>;
}

export { RECORD_FILE, recordPath } from './record-path.js';

/** The record in a file's text, or a one-line problem. */
export function parseRecord(text: string): ShapeRecord | { readonly problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { problem: `is not JSON (${(error as Error).message})` };
  }
  const record = data as Partial<ShapeRecord> | null;
  if (!record || typeof record !== 'object' || record.format !== RECORD_FORMAT) {
    return { problem: `is not a record of format ${RECORD_FORMAT}` };
  }
  if (!record.workers || typeof record.workers !== 'object') return { problem: 'has no "workers" object' };
  for (const [name, entry] of Object.entries(record.workers)) {
    const generations = (entry as { generations?: unknown } | null)?.generations;
    if (!Array.isArray(generations) || generations.length === 0) {
      return { problem: `workers.${name} has no generations` };
    }
  }
  return record as ShapeRecord;
}

/** A worker's current arguments, as a generation would record them. */
export function currentGeneration(worker: WorkerModel, table: ShapeTable): ArgsGeneration {
  return {
    args: worker.args,
    shapes: sortedTable(shapesReached(worker.args, table)),
    params: worker.parameters.map((parameter) => (parameter.rest ? `...${parameter.name}` : parameter.name)),
  };
}

/** What one worker's new arguments do to its recorded history. */
export type Step =
  | { readonly kind: 'new' | 'same' | 'compatible' }
  | { readonly kind: 'incompatible'; readonly change: string; readonly latest: GenerationEntry };

export function stepOf(history: readonly GenerationEntry[] | undefined, current: ArgsGeneration): Step {
  const latest = history?.at(-1);
  if (!latest) return { kind: 'new' };
  if (sameGeneration(latest, current)) return { kind: 'same' };
  const result = classifyChange(latest, current);
  return result.compatible ? { kind: 'compatible' } : { kind: 'incompatible', change: result.change, latest };
}

/**
 * The next record: a new worker starts at generation 1, a compatible change rewrites the newest generation, and
 * an incompatible one adds a generation when `began` says how (else the caller reports it and writes nothing).
 * Workers no longer in the project leave the record.
 */
export function nextRecord(
  previous: ShapeRecord | undefined,
  currents: ReadonlyMap<string, ArgsGeneration>,
  began: (className: string) => { since: 'upgrade' | 'break'; change: string } | undefined,
): ShapeRecord {
  const workers: Record<string, { generations: GenerationEntry[] }> = {};
  for (const [className, current] of [...currents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const history = previous?.workers[className]?.generations ?? [];
    const step = stepOf(history, current);
    const latest = history.at(-1);
    if (step.kind === 'new' || !latest) {
      workers[className] = { generations: [{ generation: 1, ...current }] };
    } else if (step.kind === 'same') {
      workers[className] = { generations: [...history] };
    } else if (step.kind === 'compatible') {
      workers[className] = { generations: [...history.slice(0, -1), { ...latest, ...current }] };
    } else {
      const how = began(className);
      const added: GenerationEntry = { generation: latest.generation + 1, ...(how ?? {}), ...current };
      workers[className] = { generations: [...history, added] };
    }
  }
  return { format: RECORD_FORMAT, workers };
}

function sameGeneration(a: ArgsGeneration, b: ArgsGeneration): boolean {
  return (
    stableText(a.args) === stableText(b.args) &&
    stableText(a.shapes) === stableText(b.shapes) &&
    stableText(a.params) === stableText(b.params)
  );
}

function sortedTable(table: ShapeTable): ShapeTable {
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The record's file text: sorted keys, short values on one line, a final newline. */
export function printRecord(record: ShapeRecord): string {
  return `${printJson(record, '')}\n`;
}

const WIDTH = 100;

function printJson(value: unknown, indent: string): string {
  const flat = stableText(value);
  if (typeof value !== 'object' || value === null || flat.length + indent.length <= WIDTH) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((item) => `${inner}${printJson(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${printJson(item, inner)}`).join(',\n')}\n${indent}}`;
}

/** JSON on one line with object keys sorted (arrays keep their order: positions are meaningful). */
export function stableText(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableText).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0
    ? '{}'
    : `{ ${entries.map(([key, item]) => `${JSON.stringify(key)}: ${stableText(item)}`).join(', ')} }`;
}
