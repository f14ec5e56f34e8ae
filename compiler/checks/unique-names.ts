/**
 * Rule: no two workers share a class name, since the class name is the job's name on the wire. Each class of a
 * clash gets a diagnostic that names the other files.
 */
import path from 'node:path';
import { Code } from '../codes.js';
import { type Diagnostic, diagnosticAt, locationOf } from '../diagnostic.js';
import type { FoundWorker } from '../discover.js';

export function checkUniqueNames(workers: readonly FoundWorker[], cwd: string): Diagnostic[] {
  const byName = new Map<string, FoundWorker[]>();
  for (const worker of workers) {
    byName.set(worker.className, [...(byName.get(worker.className) ?? []), worker]);
  }
  const diagnostics: Diagnostic[] = [];
  for (const [name, clash] of byName) {
    if (clash.length < 2) continue;
    for (const worker of clash) {
      const others = clash
        .filter((other) => other !== worker)
        .map((other) => {
          const at = locationOf(other.nameNode);
          return `${path.relative(cwd, at.file)}:${at.line}:${at.column}`;
        });
      diagnostics.push(
        diagnosticAt(
          worker.nameNode,
          Code.DuplicateName,
          `Another worker is also named '${name}' (${others.join(', ')}). The class name is the job's name on the wire, so it must be unique: rename one.`,
        ),
      );
    }
  }
  return diagnostics;
}

/** The workers whose name no other worker has. */
export function uniquelyNamed(workers: readonly FoundWorker[]): FoundWorker[] {
  const counts = new Map<string, number>();
  for (const worker of workers) counts.set(worker.className, (counts.get(worker.className) ?? 0) + 1);
  return workers.filter((worker) => counts.get(worker.className) === 1);
}
