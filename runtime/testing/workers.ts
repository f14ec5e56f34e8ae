/**
 * The worker classes the testing modes perform: stubs name their class but never load worker code, so a test
 * registers the classes it wants performed (`registerWorkers({ IncrementCounter })`, or a whole registry, whose
 * argument validators then check every job as `sidepunch-run` would).
 */
import { processWide } from '../core/process-wide.js';
import { type ArgsValidator, lookupValidator, type Registry } from '../core/registry.js';
import type { WorkerClass } from '../core/worker.js';

export class TestingError extends Error {
  override name = 'TestingError';
}

// One registration per process, whichever copy of sidepunch/testing a test loads (core/process-wide.ts).
const workers = processWide('testingWorkers', () => new Map<string, WorkerClass>());
const validators = processWide('testingValidators', () => new Map<string, ArgsValidator>());

/** Registers worker classes by class name (as the wire's `class`), or every worker of a registry. */
export function registerWorkers(source: Readonly<Record<string, WorkerClass>> | Registry): void {
  const given = commonJsDefault(source) ?? source;
  const registry: Registry = isRegistry(given) ? given : { workers: given };
  for (const [name, workerClass] of Object.entries(registry.workers)) {
    if (typeof workerClass?.prototype?.perform !== 'function') {
      throw new TestingError(`registerWorkers: ${name} is not a class with a perform method`);
    }
    workers.set(name, workerClass);
    const validator = lookupValidator(registry, name);
    if (validator) validators.set(name, validator);
    else validators.delete(name);
  }
}

/** Forgets every registered worker class. */
export function unregisterWorkers(): void {
  workers.clear();
  validators.clear();
}

export function workerClassOf(className: string): WorkerClass {
  const workerClass = workers.get(className);
  if (!workerClass) {
    throw new TestingError(
      `no worker class "${className}" registered for the testing modes: call registerWorkers({ ${className} }) in your test setup`,
    );
  }
  return workerClass;
}

export function validatorOf(className: string): ArgsValidator | undefined {
  return validators.get(className);
}

/**
 * A registry as `require()` returns a CommonJS one (`{ default: registry }`, what sidepunch-gen writes in a
 * CommonJS app), unwrapped as sidepunch-run's loader unwraps it; undefined for anything else.
 */
function commonJsDefault(source: object): Registry | undefined {
  const inner = (source as { default?: unknown }).default;
  return !isRegistry(source) && typeof inner === 'object' && inner !== null && isRegistry(inner)
    ? inner
    : undefined;
}

function isRegistry(source: object): source is Registry {
  const candidate = (source as { workers?: unknown }).workers;
  return typeof candidate === 'object' && candidate !== null;
}
