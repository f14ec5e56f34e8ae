/**
 * The registry module that `sidepunch-run` loads: its default export maps each class name (the `class`
 * field on the wire) to its worker class, plus, when `sidepunch-gen` made it, one argument validator and the
 * `perform` parameter names per class.
 * Hand-written registries use `defineRegistry({ workers: { SendEmail }, configureServer(server) { … } })`; one can
 * wrap a generated registry: `defineRegistry({ ...generated, configureServer })`.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { ConfigureServer } from '../middleware/configure.js';
import type { PeriodicEntry } from './periodic.js';
import { periodicProblem } from './periodic-check.js';
import type { WorkerClass } from './worker.js';

/** Returns undefined when `args` fit `perform`'s parameters, else the path that failed and why. */
export type ArgsValidator = (args: readonly unknown[]) => string | undefined;

export interface Registry {
  readonly workers: Readonly<Record<string, WorkerClass>>;
  readonly validators?: Readonly<Record<string, ArgsValidator>>;
  /**
   * `perform`'s parameter names per class, in order, a rest parameter as `'...name'`, so the web dashboard can
   * show a job's arguments by name (see `argumentNames`). Hand-written registries may omit it or list some classes.
   */
  readonly params?: Readonly<Record<string, readonly string[]>>;
  /** Called by `sidepunch-run` before it fetches a job: add server and client middleware, error and death handlers. */
  readonly configureServer?: ConfigureServer;
  /**
   * Periodic entries (docs/periodic.md), from `periodic(…)`. Absent: this process leaves the stored entries alone;
   * present, even empty: it replaces them with these.
   */
  readonly periodic?: readonly PeriodicEntry[];
  /**
   * Per class whose arguments changed incompatibly since jobs were pushed (sidepunch.shapes.json): the current
   * generation's number and a validator per older one, to tell which generation a job that fails `validators`
   * was pushed with and upgrade it (upgrade.ts).
   */
  readonly generations?: Readonly<Record<string, WorkerGenerations>>;
}

export interface WorkerGenerations {
  readonly current: number;
  readonly old: readonly { readonly generation: number; readonly validator: ArgsValidator }[];
}

export function defineRegistry(registry: Registry): Registry {
  return registry;
}

/**
 * The worker class the registry lists under `className`: its own entry only, so a job whose class is `constructor`,
 * `__proto__` or `toString` is an unknown worker rather than a member of Object.prototype.
 */
export function lookupWorker(registry: Registry, className: string): WorkerClass | undefined {
  return ownEntry(registry.workers, className);
}

/** The argument validator the registry lists under `className`, if any (own entries only, as `lookupWorker`). */
export function lookupValidator(registry: Registry, className: string): ArgsValidator | undefined {
  return registry.validators && ownEntry(registry.validators, className);
}

function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** Imports a registry module and checks its shape, so a wrong file fails at start with one clear line. */
export async function loadRegistry(file: string): Promise<Registry> {
  if (!existsSync(file)) {
    throw new RegistryError(
      `cannot load registry ${file}: not found — run sidepunch-gen first to generate it, or give the path of a registry you wrote`,
    );
  }
  const url = pathToFileURL(path.resolve(file)).href;
  let mod: Record<string, unknown>;
  try {
    mod = await importUnlessStalled(url, file);
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(
      `cannot load registry ${file}: ${whyNotLoaded(error)}${syntaxErrorPlace(error, file)}`,
    );
  }
  return checkRegistry(defaultExport(mod), file);
}

/**
 * A registry's shape checked (as loadRegistry checks a file's default export, and the embedded runtime the object
 * it is given), so a wrong one fails at start with one clear line naming `label`.
 */
export function checkRegistry(value: unknown, label: string): Registry {
  const candidate = value as Partial<Registry> | undefined;
  const workers = candidate?.workers;
  if (!workers || typeof workers !== 'object') {
    const nested = (value as { default?: { workers?: unknown } } | undefined)?.default?.workers;
    const hint =
      nested && typeof nested === 'object' ? ' (this is a module namespace: pass its .default)' : '';
    throw new RegistryError(
      `${label} is not a Sidepunch registry: its default export needs a "workers" object mapping class names to worker classes${hint}`,
    );
  }
  for (const [name, worker] of Object.entries(workers)) {
    if (typeof worker !== 'function' || typeof worker.prototype?.perform !== 'function') {
      throw new RegistryError(`${label}: workers.${name} is not a class with a perform method`);
    }
  }
  checkParams(label, candidate.params);
  if (candidate.periodic !== undefined) {
    const problem = periodicProblem(candidate.periodic, workers, candidate.validators);
    if (problem) throw new RegistryError(`${label}: ${problem}`);
  }
  if (candidate.configureServer !== undefined && typeof candidate.configureServer !== 'function') {
    throw new RegistryError(`${label}: configureServer must be a function (server) => { … }`);
  }
  return candidate as Registry;
}

/**
 * Node ends a process whose event loop empties even while a dynamic import waits on a top-level await: a module
 * awaiting a promise that nothing can settle any more would end `sidepunch-run` silently, with exit code 0.
 */
function importUnlessStalled(url: string, file: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const stalled = () => reject(new RegistryError(`${file}: the registry's top-level await never settled`));
    process.once('beforeExit', stalled);
    import(url).then(resolve, reject).finally(() => process.off('beforeExit', stalled));
  });
}

/** The import's error in one line; for TypeScript that Node cannot run by itself, how to run it. */
function whyNotLoaded(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /"\.[cm]?tsx?"/.test(message)) {
    // The main thread loaded it first, so a loader is there; on Node 20 its hooks do not reach worker threads.
    if (!isMainThread) {
      return 'a --threads thread does not get the loader that --import (tsx) gave the main thread on Node 20: use --processes, or give the compiled .js';
    }
    return (
      "Node needs a loader for TypeScript: NODE_OPTIONS='--import tsx' (with tsx installed), " +
      'or --experimental-strip-types on Node ≥ 22.6; or give the compiled .js'
    );
  }
  return message;
}

/**
 * Where a syntax error is, as ` (at <file>:<line>)`: a dynamic import's SyntaxError carries no place, so the file
 * is checked again by `node --check`, which names it (the error of a module the registry imports stays without).
 */
function syntaxErrorPlace(error: unknown, file: string): string {
  if (!(error instanceof SyntaxError)) return '';
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const place = /^(.+?):(\d+)\r?$/m.exec(check.stderr ?? '');
  if (!place) return '';
  const where = place[1]!.startsWith('file://') ? new URL(place[1]!).pathname : place[1]!;
  return ` (at ${path.relative(process.cwd(), where) || where}:${place[2]})`;
}

/**
 * The module's default export. A CommonJS registry compiled from `export default` (by esbuild, as sidepunch-gen
 * writes one for a CommonJS app, or by tsc) sets `exports.default` and `__esModule`; importing it gives the whole
 * `module.exports` as the default, so the registry is one level down.
 */
function defaultExport(mod: Record<string, unknown>): unknown {
  const exported = (mod.default ?? mod) as { __esModule?: unknown; default?: unknown } | undefined;
  return exported?.__esModule === true && exported.default !== undefined ? exported.default : exported;
}

function checkParams(file: string, params: unknown): void {
  if (params === undefined) return;
  if (!params || typeof params !== 'object' || Array.isArray(params)) {
    throw new RegistryError(`${file}: params must be an object mapping class names to parameter names`);
  }
  for (const [name, names] of Object.entries(params)) {
    if (!Array.isArray(names) || !names.every((item) => typeof item === 'string')) {
      throw new RegistryError(`${file}: params.${name} must be an array of parameter names (strings)`);
    }
  }
}

/** Every queue the workers' options name, then the periodic entries', in registry order, each once. */
export function declaredQueues(registry: Registry): string[] {
  const names = new Set<string>();
  const options = [
    ...Object.values(registry.workers).map((worker) => worker.sidepunchOptions ?? {}),
    ...(registry.periodic ?? []).map((entry) => entry.options),
  ];
  for (const { queue, retry_queue: retryQueue } of options) {
    for (const name of [queue, retryQueue]) if (typeof name === 'string' && name !== '') names.add(name);
  }
  return [...names];
}
