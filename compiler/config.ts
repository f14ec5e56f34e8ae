/**
 * Where sidepunch-gen reads and writes, resolved once: command-line flags (paths relative to the working
 * directory), else the `sidepunch` field of the nearest package.json (relative to that package), else
 * `DEFAULTS`: the nearest tsconfig.json from the working directory up, as tsc finds it, and the outputs
 * relative to its directory. A bad field is a `ConfigError`: one line, exit 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const DEFAULTS = {
  project: 'tsconfig.json',
  out: 'src/sidepunch.generated.ts',
  registry: 'dist/registry.js',
  cache: true,
} as const;

/** Settings without a default: their type, for the package.json check. */
const OPTIONAL = { server: 'string' } as const;

export interface Settings {
  readonly project?: string;
  readonly out?: string;
  readonly registry?: string;
  readonly cache?: boolean;
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
  /** The cache file, or false when caching is off. */
  readonly cache: string | false;
  /** The configureServer module the registry imports, when there is one. */
  readonly server?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function resolveConfig(flags: Settings, cwd: string): GenConfig {
  const packageFile = findUp(cwd, 'package.json');
  const packageDir = packageFile ? path.dirname(packageFile) : cwd;
  const fromPackage = packageFile ? readSettings(packageFile) : {};
  const explicit = (key: 'project' | 'out' | 'registry' | 'server'): string | undefined => {
    if (flags[key] !== undefined) return path.resolve(cwd, flags[key]);
    if (fromPackage[key] !== undefined) return path.resolve(packageDir, fromPackage[key]);
    return undefined;
  };
  // Like tsc: the nearest tsconfig.json from the working directory up; the outputs default beside it.
  const project = explicit('project') ?? findUp(cwd, DEFAULTS.project) ?? path.resolve(cwd, DEFAULTS.project);
  const projectDir = path.dirname(project);
  const cacheOn = flags.cache ?? fromPackage.cache ?? DEFAULTS.cache;
  return {
    cwd,
    packageDir,
    project,
    out: explicit('out') ?? path.join(projectDir, DEFAULTS.out),
    registry: explicit('registry') ?? path.join(projectDir, DEFAULTS.registry),
    cache: cacheOn ? cacheFile(packageDir, project) : false,
    server: explicit('server'),
  };
}

function findUp(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
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
    if (typeof value !== expected || value === '') {
      throw new ConfigError(
        `${packageFile}: "sidepunch.${key}" must be a ${expected === 'string' ? 'path' : expected}`,
      );
    }
    settings[key] = value;
  }
  return settings as Settings;
}

/** One cache file per tsconfig, under node_modules/.cache like other build tools. */
function cacheFile(packageDir: string, project: string): string {
  const name = path.relative(packageDir, project).replace(/[^\w.-]+/g, '_');
  return path.join(packageDir, 'node_modules', '.cache', 'sidepunch-gen', `${name}.json`);
}
