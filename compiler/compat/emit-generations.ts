/**
 * What the record adds to the generated files, for workers with older generations only (so a project that never
 * broke a signature gets the same files as before):
 *  1. the stubs export each old generation's arguments as a type, `SendEmailArgsV1`, for typing upgrade steps,
 *     and `SendEmailOldArgs`, the one before the current generation (what `sidepunchUpgrade` takes);
 *  2. the registry entry gets `generations`: per worker, the current generation's number and a validator per old
 *     one, which the runtime uses to tell which generation a job was pushed with (runtime/core/upgrade.ts).
 */
import { printKey, printLiteral } from '../print-literal.js';
import type { GenerationEntry, ShapeRecord } from './record.js';
import { argsType, namedTypes } from './shape-type.js';

function withHistory(record: ShapeRecord): [string, readonly GenerationEntry[]][] {
  return Object.entries(record.workers)
    .filter(([, entry]) => entry.generations.length > 1)
    .map(([name, entry]) => [name, entry.generations]);
}

export function oldArgsTypes(record: ShapeRecord): string {
  const lines: string[] = [];
  for (const [name, generations] of withHistory(record)) {
    for (const entry of generations.slice(0, -1)) {
      const prefix = `${name}V${entry.generation}_`;
      lines.push(
        `/** ${name}'s arguments in generation ${entry.generation} (sidepunch.shapes.json), for its upgrade step. */`,
        `export type ${name}ArgsV${entry.generation} = ${argsType(entry.args, entry.params, prefix)};`,
        ...namedTypes(entry.shapes, prefix),
      );
    }
    const previous = generations.at(-2)!.generation;
    lines.push(
      `/** What ${name}.sidepunchUpgrade takes: the arguments of the generation before the current one. */`,
      `export type ${name}OldArgs = ${name}ArgsV${previous};`,
    );
  }
  return lines.length > 0 ? `\n${lines.join('\n')}\n` : '';
}

export function generationsField(record: ShapeRecord): string[] {
  const workers = withHistory(record);
  if (workers.length === 0) return [];
  const entries = workers.map(([name, generations]) => {
    const old = generations.slice(0, -1).map((entry) => {
      const table = Object.keys(entry.shapes).length > 0 ? `, ${printLiteral(entry.shapes)}` : '';
      return `        { generation: ${entry.generation}, validator: argsValidator(${printLiteral(entry.args, '        ')}${table}) },\n`;
    });
    return `    ${printKey(name)}: {\n      current: ${generations.at(-1)!.generation},\n      old: [\n${old.join('')}      ],\n    },\n`;
  });
  return [`  generations: {\n${entries.join('')}  },`];
}
