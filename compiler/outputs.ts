/**
 * The generated files, held in memory until the whole run succeeded: then written (each through a temporary
 * file and a rename, and only when its content changed, so watchers and incremental builds see no spurious
 * change), or compared with what is on disk for `--check`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ModulesTree, removeStaleModules } from './stale-modules.js';

export interface Output {
  readonly path: string;
  readonly text: string;
}

export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The outputs whose file is missing or differs. */
export function staleOutputs(outputs: readonly Output[]): Output[] {
  return outputs.filter((output) => readIfExists(output.path) !== output.text);
}

/** Writes the outputs that changed; returns them. */
export function writeOutputs(outputs: readonly Output[]): Output[] {
  const changed = staleOutputs(outputs);
  for (const output of changed) {
    mkdirSync(path.dirname(output.path), { recursive: true });
    const temporary = `${output.path}.${process.pid}.tmp`;
    writeFileSync(temporary, output.text);
    renameSync(temporary, output.path);
  }
  return changed;
}

/**
 * Writes a run's outputs, then (after them, so the registry on disk never imports a deleted module) deletes the
 * built modules its registry no longer imports: every writer (the CLI, `--watch`, the esbuild plugin) does both.
 */
export function writeGeneration(generation: {
  readonly outputs: readonly Output[];
  readonly modulesTree?: ModulesTree;
}): { readonly written: Output[]; readonly removed: string[] } {
  const written = writeOutputs(generation.outputs);
  const removed = generation.modulesTree ? removeStaleModules(generation.modulesTree) : [];
  return { written, removed };
}
