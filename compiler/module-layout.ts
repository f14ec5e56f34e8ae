/**
 * The modules layout's file names (module-tree.ts): the registry `dist/registry.js` imports the built modules
 * under `dist/registry.modules/`, each at its source's path relative to the project directory (`..` spelled
 * `__`), with the registry's script extension.
 */
import path from 'node:path';
import { VALIDATOR_FILE } from './emit-registry.js';

export const SCRIPT = /\.(?:[cm]?[jt]sx?)$/;

/** `dist/registry.js` → `dist/registry.modules`. */
export function modulesDirOf(registry: string): string {
  return `${registry.slice(0, registry.length - path.extname(registry).length)}.modules`;
}

/** Where each module's built file goes, and how one built file imports another. */
export class ModuleLayout {
  readonly modulesDir: string;
  readonly extension: string;

  constructor(
    readonly registry: string,
    private readonly projectDir: string,
  ) {
    this.extension = path.extname(registry) === '.mjs' ? '.mjs' : '.js';
    this.modulesDir = modulesDirOf(registry);
  }

  /** The built file of a source module: its path under the project, `..` spelled `__`, with a script extension. */
  outputOf(source: string): string {
    const key = `${this.modulesDir}\0${this.projectDir}\0${source}`;
    let output = outputs.get(key);
    if (output === undefined) {
      output = this.computeOutput(source);
      outputs.set(key, output);
    }
    return output;
  }

  private computeOutput(source: string): string {
    if (source === VALIDATOR_FILE)
      return path.join(this.modulesDir, '__sidepunch', `validate-args${this.extension}`);
    const relative = path
      .relative(this.projectDir, source)
      .split(path.sep)
      .map((part) => (part === '..' ? '__' : part))
      .join(path.sep);
    return path.join(this.modulesDir, relative.replace(SCRIPT, '') + this.extension);
  }

  /** The specifier the built `importer` uses for the built `target`. */
  specifier(importerOutput: string, targetOutput: string): string {
    const key = `${importerOutput}\0${targetOutput}`;
    let specifier = specifiers.get(key);
    if (specifier === undefined) {
      specifier = relativeSpecifier(importerOutput, targetOutput);
      specifiers.set(key, specifier);
    }
    return specifier;
  }
}

/** Computed once: a watcher's regeneration names the same 2,000 modules each time. */
const specifiers = new Map<string, string>();
const outputs = new Map<string, string>();

function relativeSpecifier(importerOutput: string, targetOutput: string): string {
  const relative = path.relative(path.dirname(importerOutput), targetOutput).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}
