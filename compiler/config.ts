/**
 * Where sidepunch-gen reads and writes, resolved once: command-line flags (paths relative to the working
 * directory), else the `sidepunch` field of the nearest package.json (relative to that package), else
 * `DEFAULTS`: the nearest tsconfig.json from the working directory up, as tsc finds it, and the outputs
 * relative to its directory. The registry's module format follows the package.json nearest to it
 * (registry-format.ts). A bad field is a `ConfigError`: one line, exit 2.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { recordPath } from './compat/record-path.js';
import { findUp } from './find-up.js';
import { type RegistryFormat, registryFormat } from './registry-format.js';

export const DEFAULTS = {
  project: 'tsconfig.json',
  out: 'src/sidepunch.generated.ts',
  registry: 'dist/registry.js',
  registryMode: 'bundle',
  cache: true,
  /** Keep the record of argument shapes beside the stubs and check changes against it (docs/deploys.md). */
  record: true,
  daemon: false,
} as const;

/** Settings without a default: their type, for the package.json check. */
const OPTIONAL = { server: 'string' } as const;

/**
 * How the registry reaches the workers: `bundle` bundles their sources into it (the default: nothing else to
 * build); `compiled` imports the app's own compiled modules (tsc's output), so a worker's `import.meta.url` or
 * `__dirname` is its own compiled file's; `modules`: the registry imports a tree of modules beside it, one per
 * source module, built each on its own (module-tree.ts), so a rebuild after an edit builds only what changed
 * (`--watch`'s default for an ES module registry).
 */
export const REGISTRY_MODES = ['bundle', 'compiled', 'modules'] as const;
export type RegistryMode = (typeof REGISTRY_MODES)[number];

/** Settings whose value is one of a few words. */
const CHOICES: Readonly<Record<string, readonly string[]>> = { registryMode: REGISTRY_MODES };

export interface Settings {
  readonly project?: string;
  readonly out?: string;
  readonly registry?: string;
  readonly registryMode?: RegistryMode;
  readonly cache?: boolean;
  readonly record?: boolean;
  /** Send runs to a background build daemon that keeps the project loaded (daemon-client.ts). */
  readonly daemon?: boolean;
  /** A module whose default export is the registry's `configureServer` hook (middleware, handlers). */
  readonly server?: string;
}

export interface GenConfig {
  /** Where relative paths in messages start. */
  readonly cwd: string;
  /** The directory of the package.json that holds the settings (else the working directory). */
  readonly packageDir: string;
  /** Absolute paths. */
  readonly project: string;
  readonly out: string;
  readonly registry: string;
  readonly registryMode: RegistryMode;
  /** The registry's module format, as Node will read the file: from its extension or nearest package.json. */
  readonly registryFormat: RegistryFormat;
  /** The cache file, or false when caching is off. */
  readonly cache: string | false;
  /** The configureServer module the registry imports, when there is one. */
  readonly server?: string;
  /** The record of argument shapes (compat/record.ts), or false/absent when it is off. */
  readonly record?: string | false;
  /** `"daemon": true` in package.json or `--daemon`: runs go to the build daemon (daemon-client.ts). */
  readonly daemon?: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function resolveConfig(flags: Settings, cwd: string, use: { watch?: boolean } = {}): GenConfig {
  const packageFile = findUp(cwd, 'package.json');
  const packageDir = packageFile ? path.dirname(packageFile) : cwd;
  const fromPackage = packageFile ? readSettings(packageFile) : {};
  const explicit = (key: 'project' | 'out' | 'registry' | 'server'): string | undefined => {
    if (flags[key] !== undefined) return path.resolve(cwd, flags[key]);
    if (fromPackage[key] !== undefined) return path.resolve(packageDir, fromPackage[key]);
    return undefined;
  };
  // Like tsc: the nearest tsconfig.json from the working directory up, or the one in a directory given as the
  // project (`-p packages/app`); the outputs default beside it.
  const given = explicit('project');
  const project =
    (given && isDirectory(given) ? path.join(given, DEFAULTS.project) : given) ??
    findUp(cwd, DEFAULTS.project) ??
    path.resolve(cwd, DEFAULTS.project);
  const projectDir = path.dirname(project);
  const cacheOn = flags.cache ?? fromPackage.cache ?? DEFAULTS.cache;
  const registry = explicit('registry') ?? path.join(projectDir, DEFAULTS.registry);
  const out = explicit('out') ?? path.join(projectDir, DEFAULTS.out);
  checkOutputKinds(out, registry, cwd);
  const format = registryFormat(registry);
  // --watch rebuilds only what an edit changed, when no mode was chosen and the registry is an ES module.
  const defaultMode = use.watch && format === 'esm' ? 'modules' : DEFAULTS.registryMode;
  return {
    cwd,
    packageDir,
    project,
    out,
    registry,
    registryMode: flags.registryMode ?? fromPackage.registryMode ?? defaultMode,
    registryFormat: format,
    cache: cacheOn ? cacheFile(packageDir, project) : false,
    server: explicit('server'),
    record: (flags.record ?? fromPackage.record ?? DEFAULTS.record) ? recordPath(out) : false,
    daemon: flags.daemon ?? fromPackage.daemon ?? DEFAULTS.daemon,
  };
}

/**
 * The stubs are TypeScript and the registry is JavaScript Node loads: `--out src/jobs.js` would be TypeScript in a
 * .js file, `--out jobs.d.ts` values in a declaration file, and `--registry dist/registry.ts` a bundle Node cannot
 * run (it also keeps the two paths apart).
 */
function checkOutputKinds(out: string, registry: string, cwd: string): void {
  const shown = (file: string) => path.relative(cwd, file).split(path.sep).join('/');
  if (!/\.[mc]?ts$/.test(out) || /\.d\.[mc]?ts$/.test(out)) {
    throw new ConfigError(`--out must name a TypeScript module (.ts, .mts or .cts), got ${shown(out)}`);
  }
  if (!/\.[mc]?js$/.test(registry)) {
    throw new ConfigError(
      `--registry must name a JavaScript file (.js, .mjs or .cjs), got ${shown(registry)}`,
    );
  }
}

function isDirectory(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isDirectory() === true;
}

function readSettings(packageFile: string): Settings {
  let json: { sidepunch?: unknown };
  try {
    json = JSON.parse(readFileSync(packageFile, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read ${packageFile}: ${(error as Error).message}`);
  }
  const field = json.sidepunch;
  if (field === undefined) return {};
  if (typeof field !== 'object' || field === null || Array.isArray(field)) {
    throw new ConfigError(
      `${packageFile}: "sidepunch" must be an object like { "out": "src/jobs.generated.ts" }`,
    );
  }
  const settings: Record<string, unknown> = {};
  const types: Record<string, string> = {};
  for (const [key, value] of Object.entries(DEFAULTS)) types[key] = typeof value;
  Object.assign(types, OPTIONAL);
  for (const [key, value] of Object.entries(field)) {
    const expected = types[key];
    if (expected === undefined) {
      throw new ConfigError(
        `${packageFile}: unknown "sidepunch.${key}" (known: ${Object.keys(types).join(', ')})`,
      );
    }
    const choices = CHOICES[key];
    if (choices && !choices.includes(value as string)) {
      throw new ConfigError(`${packageFile}: "sidepunch.${key}" must be ${choicesText(choices)}`);
    }
    if (typeof value !== expected || value === '') {
      throw new ConfigError(
        `${packageFile}: "sidepunch.${key}" must be a ${expected === 'string' ? 'path' : expected}`,
      );
    }
    settings[key] = value;
  }
  return settings as Settings;
}

/** `"bundle" or "compiled"`. */
export function choicesText(choices: readonly string[]): string {
  const quoted = choices.map((choice) => `"${choice}"`);
  return `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** One cache file per tsconfig, under node_modules/.cache like other build tools. */
function cacheFile(packageDir: string, project: string): string {
  const name = path.relative(packageDir, project).replace(/[^\w.-]+/g, '_');
  return path.join(packageDir, 'node_modules', '.cache', 'sidepunch-gen', `${name}.json`);
}
