/**
 * Bundles the generated registry entry with esbuild into one file for Node 20, in the module format Node will
 * read it as (registry-format.ts). What stays external, loaded at run time:
 *  - `sidepunch` itself, even when a tsconfig path maps it to sources, so the registry shares the runtime's
 *    instance;
 *  - npm packages, resolved into node_modules, so native modules work; a package that resolves outside
 *    node_modules (an npm workspace, a `file:` dependency, a tsconfig `paths` alias) is bundled like the project's
 *    own files instead, since it may export TypeScript sources Node cannot load;
 *  - in the compiled mode, the app's compiled modules (compiled-modules.ts).
 * The project's own files and the validators are bundled in. Nothing is written here. The watcher keeps a
 * `RegistryBundler`: one esbuild context whose rebuilds re-read only the files that changed.
 */
import path from 'node:path';
import * as esbuild from 'esbuild';
import { Code } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { COMPILED_PREFIX, REGISTRY_HEADER, VALIDATOR_FILE, VALIDATOR_MODULE } from './emit-registry.js';
import { type Output, readIfExists } from './outputs.js';
import { stubsInMemory } from './periodic/stubs-in-memory.js';
import type { RegistryFormat } from './registry-format.js';

export interface BundleRequest {
  readonly entry: string;
  readonly projectDir: string;
  readonly tsconfig: string;
  readonly outFile: string;
  readonly format: RegistryFormat;
  /** The stubs this run generates, served from memory to the modules that import them (periodic entries do). */
  readonly stubs?: { readonly path: string; readonly text: string };
}

export type BundleResult =
  | {
      readonly code: string;
      /** The modules layout's built modules (module-tree.ts): the ones this run (re)built. */
      readonly files?: readonly Output[];
      /** The modules layout's built files that the registry imports, all of them (the rest are stale). */
      readonly modules?: readonly string[];
      /** Said once to the user: why the modules layout bundled instead. */
      readonly note?: string;
    }
  | { readonly diagnostics: readonly Diagnostic[] };

const validatorModule: esbuild.Plugin = {
  name: 'sidepunch-validators',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${VALIDATOR_MODULE}$`) }, () => ({ path: VALIDATOR_FILE }));
  },
};

/** `import … from 'sidepunch-gen:compiled:./workers/report.js'`: the compiled module, imported as it is. */
const compiledModules: esbuild.Plugin = {
  name: 'sidepunch-compiled-modules',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${COMPILED_PREFIX}`) }, (args) => ({
      path: args.path.slice(COMPILED_PREFIX.length),
      external: true,
    }));
  },
};

const SIDEPUNCH = /^sidepunch(\/|$)/;

/** Bare imports: external when they resolve into node_modules (or fail to resolve), bundled otherwise. */
const packagesInNodeModules: esbuild.Plugin = {
  name: 'sidepunch-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined;
      if (SIDEPUNCH.test(args.path)) return { path: args.path, external: true };
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      const inNodeModules = resolved.path.split(/[\\/]/).includes('node_modules');
      if (resolved.errors.length > 0 || resolved.external || inNodeModules) {
        return { path: args.path, external: true };
      }
      return { path: resolved.path, namespace: resolved.namespace, sideEffects: resolved.sideEffects };
    });
  },
};

/** The registry entry, served from memory as `sidepunch-registry.ts` in the project directory. */
const ENTRY_NAME = 'sidepunch-registry.ts';

function entryModule(projectDir: string, entry: () => string): esbuild.Plugin {
  const entryPath = path.join(projectDir, ENTRY_NAME);
  return {
    name: 'sidepunch-registry-entry',
    setup(build) {
      build.onResolve({ filter: /^sidepunch-gen:registry-entry$/ }, () => ({ path: entryPath }));
      build.onLoad({ filter: /[\\/]sidepunch-registry\.ts$/ }, (args) =>
        args.path === entryPath ? { contents: entry(), loader: 'ts', resolveDir: projectDir } : undefined,
      );
    },
  };
}

/** The texts a kept context reads afresh at each rebuild: the entry, and the stubs when they are served. */
interface Sources {
  entry(): string;
  stubs(): string | undefined;
}

function buildOptions(
  request: Omit<BundleRequest, 'entry' | 'stubs'> & { readonly stubsPath?: string },
  sources: Sources,
): esbuild.BuildOptions & { write: false } {
  const stubsPath = request.stubsPath;
  return {
    entryPoints: ['sidepunch-gen:registry-entry'],
    absWorkingDir: request.projectDir,
    tsconfig: request.tsconfig,
    outfile: request.outFile,
    bundle: true,
    platform: 'node',
    format: request.format,
    target: 'node20',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    // Two modules may declare classes of one name; bundling renames one (`RetryableError2`), and a job's
    // error_class, a log line or `constructor.name` would show the renamed one. keepNames keeps the source's.
    keepNames: true,
    banner: { js: REGISTRY_HEADER },
    plugins: [
      entryModule(request.projectDir, sources.entry),
      validatorModule,
      compiledModules,
      ...(stubsPath ? [stubsInMemory(stubsPath, () => sources.stubs() ?? '')] : []),
      packagesInNodeModules,
    ],
  };
}

export async function bundleRegistry(request: BundleRequest): Promise<BundleResult> {
  const { entry, stubs, ...settings } = request;
  const sources = { entry: () => entry, stubs: () => stubs?.text };
  return bundled(request, () =>
    esbuild.build(buildOptions({ ...settings, stubsPath: stubs?.path }, sources)),
  );
}

/** One esbuild context kept across runs (watch mode): a rebuild re-reads only what changed. */
export class RegistryBundler {
  private context: Promise<esbuild.BuildContext<{ write: false }>> | undefined;
  private signature = '';
  private entry = '';
  private stubs: string | undefined;

  async bundle(request: BundleRequest): Promise<BundleResult> {
    const { entry, stubs, ...rest } = request;
    const settings = { ...rest, stubsPath: stubs?.path };
    const signature = JSON.stringify(settings);
    if (signature !== this.signature) {
      await this.dispose();
      this.signature = signature;
      this.context = esbuild.context(
        buildOptions(settings, { entry: () => this.entry, stubs: () => this.stubs }),
      );
    }
    this.entry = entry;
    this.stubs = stubs?.text;
    const context = await this.context!;
    return bundled(request, () => context.rebuild());
  }

  async dispose(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    this.signature = '';
    if (context) await (await context).dispose();
  }
}

async function bundled(
  request: BundleRequest,
  build: () => Promise<esbuild.BuildResult<{ write: false }>>,
): Promise<BundleResult> {
  const result = await registryBuildResult(request, build);
  if ('diagnostics' in result) return result;
  const code = result.files.get(path.resolve(request.outFile)) ?? [...result.files.values()][0]!;
  return { code };
}

/** A build's output files by path, or its errors as diagnostics. */
export async function registryBuildResult(
  request: Pick<BundleRequest, 'projectDir' | 'format'>,
  build: () => Promise<esbuild.BuildResult<{ write: false }>>,
): Promise<
  { readonly files: ReadonlyMap<string, string> } | { readonly diagnostics: readonly Diagnostic[] }
> {
  try {
    const result = await build();
    return { files: new Map(result.outputFiles.map((file) => [file.path, file.text])) };
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw error;
    return {
      diagnostics: failure.errors.map((message) => toDiagnostic(message, request.projectDir, request.format)),
    };
  }
}

function toDiagnostic(message: esbuild.Message, projectDir: string, format: RegistryFormat): Diagnostic {
  const location = message.location;
  const hint =
    format === 'cjs' && message.text.startsWith('Top-level await')
      ? ' (Node reads .js files there as CommonJS: add "type": "module" to the package.json, or name the registry .mjs)'
      : '';
  const text = `esbuild could not bundle the registry: ${message.text}${hint}`;
  const noDefault =
    location !== null &&
    path.basename(location.file) === ENTRY_NAME &&
    /^No matching export in "(.+)" for import "default"$/.exec(message.text);
  if (noDefault) return missingServerDefault(path.resolve(projectDir, noDefault[1]!), projectDir);
  if (!location) {
    return {
      file: '',
      line: 0,
      column: 0,
      length: 0,
      lineText: '',
      code: `SP${Code.BundleFailed}`,
      message: text,
      related: [],
    };
  }
  return {
    file: path.resolve(projectDir, location.file),
    line: location.line,
    column: location.column + 1,
    length: Math.max(1, location.length),
    lineText: location.lineText,
    code: `SP${Code.BundleFailed}`,
    message: text,
    related: [],
  };
}

/**
 * The entry imports a default export only from the `--server` module (workers are named imports): say so at that
 * module, not in the generated entry, a file the user never sees.
 */
function missingServerDefault(file: string, projectDir: string): Diagnostic {
  const shown = path.relative(projectDir, file).split(path.sep).join('/');
  const lineText = (readIfExists(file) ?? '').split(/\r?\n/)[0] ?? '';
  return {
    file,
    line: 1,
    column: 1,
    length: Math.max(1, lineText.length),
    lineText,
    code: `SP${Code.BundleFailed}`,
    message:
      `esbuild could not bundle the registry: ${shown} has no default export, which the registry imports as its ` +
      'configureServer hook. Add `export default function configureServer(server) { … }`.',
    related: [],
  };
}
