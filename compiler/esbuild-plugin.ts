/**
 * `sidepunch/esbuild`: sidepunch-gen as an esbuild plugin, for projects that build with esbuild directly.
 *  1. at the start of every build (and rebuild), generate the stubs and, unless `registry: false`, the registry,
 *     reusing the cache when nothing changed;
 *  2. report sidepunch-gen's diagnostics as esbuild errors (with file, line and column), which fails the build
 *     and leaves the previous files untouched;
 *  3. serve `import registry from 'sidepunch:registry'`, to bundle the registry into the build's own output.
 * Importing this module loads neither ts-morph nor esbuild; setup checks they are installed at supported
 * versions and otherwise fails the build with one line naming the npm command that installs them.
 */
import path from 'node:path';
import type { Message, PartialMessage, Plugin } from 'esbuild';
import { buildDependencyProblem } from './build-dependencies.js';
import { freshRun, recordRun } from './cache.js';
import { resolveConfig, type Settings } from './config.js';
import type { Diagnostic } from './diagnostic.js';
import { VALIDATOR_FILE, VALIDATOR_MODULE } from './emit-registry.js';
import { writeGeneration } from './outputs.js';

export interface SidepunchPluginOptions extends Settings {
  /** Where relative paths start (default: the build's absWorkingDir, else the process's). */
  readonly cwd?: string;
  /** `false`: do not write the registry file (import `sidepunch:registry` instead). */
  readonly writeRegistry?: boolean;
}

const REGISTRY_MODULE = 'sidepunch:registry';

export function sidepunch(options: SidepunchPluginOptions = {}): Plugin {
  return {
    name: 'sidepunch',
    setup(build) {
      const missing = buildDependencyProblem();
      if (missing) throw new Error(`sidepunch/esbuild: ${missing}`);
      const cwd = options.cwd ?? build.initialOptions.absWorkingDir ?? process.cwd();
      const config = resolveConfig(options, cwd);
      let registryEntry: string | undefined;
      /** This build's generation, when onStart ran one (not when the cache showed nothing changed). */
      let started: Promise<PartialMessage[]> | undefined;

      const run = async (): Promise<PartialMessage[]> => {
        const { generate } = await import('./generate.js');
        const generation = await generate(config, { skipBundle: options.writeRegistry === false });
        if (generation.diagnostics.length > 0) return generation.diagnostics.map(toMessage);
        registryEntry = generation.registryEntry;
        writeGeneration(generation);
        if (generation.inputs && options.writeRegistry !== false) {
          recordRun(config, {
            ...generation.inputs,
            outputs: generation.outputs.map((output) => output.path),
          });
        }
        return [];
      };

      build.onStart(async () => {
        started = undefined;
        if (options.writeRegistry !== false && freshRun(config)) return {};
        started = run();
        return { errors: await started };
      });

      build.onResolve({ filter: new RegExp(`^${REGISTRY_MODULE}$`) }, () => ({
        path: REGISTRY_MODULE,
        namespace: 'sidepunch',
      }));
      build.onResolve({ filter: new RegExp(`^${VALIDATOR_MODULE}$`) }, () => ({ path: VALIDATOR_FILE }));
      build.onLoad({ filter: /.*/, namespace: 'sidepunch' }, async () => {
        const errors = await (started ?? (registryEntry === undefined ? run() : Promise.resolve([])));
        // onStart has reported these already; the build fails on them.
        if (errors.length > 0) return { contents: 'export default {};' };
        return { contents: registryEntry, loader: 'ts', resolveDir: path.dirname(config.project) };
      });
    },
  };
}

export default sidepunch;

function toMessage(diagnostic: Diagnostic): PartialMessage {
  const location: Message['location'] | null = diagnostic.file
    ? {
        file: diagnostic.file,
        namespace: 'file',
        line: diagnostic.line,
        column: diagnostic.column - 1,
        length: diagnostic.length,
        lineText: diagnostic.lineText,
        suggestion: '',
      }
    : null;
  return {
    id: diagnostic.code,
    text: `${diagnostic.code}: ${diagnostic.message}`,
    location,
    notes: diagnostic.related.map((related) => ({
      text: related.message,
      location: {
        file: related.file,
        line: related.line,
        column: related.column - 1,
        length: related.length,
        lineText: related.lineText,
      },
    })),
  };
}
