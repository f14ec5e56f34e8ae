/**
 * Skips a run when nothing it read has changed, without loading TypeScript. A successful run records:
 *  1. a key: the settings and a fingerprint of sidepunch-gen itself and the TypeScript it bundles;
 *  2. every file the program read (size, mtime, content hash), except TypeScript's own lib files;
 *  3. for each directory the tsconfig globs, a hash of its file list, so an added or removed file counts;
 *  4. the hash of each output, so an edited or deleted output is regenerated.
 * A rerun checks these in order and stops at the first difference; a changed mtime with equal content is fresh.
 * The run's per-file results (reuse.ts) go in a file beside the record, named by the hash the record keeps (so
 * the no-change check reads only the small record): a rerun whose only differences are project source files gets
 * them with the list of those files (`previousRun`), to re-analyze only what they affect.
 * Recording hashes again only the files whose size or mtime changed since the previous record.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenConfig } from './config.js';
import type { ReuseState } from './reuse.js';

const FORMAT = 2;

interface CacheRecord {
  readonly format: number;
  readonly key: string;
  readonly workers: number;
  readonly files: readonly (readonly [file: string, size: number, mtimeMs: number, hash: string])[];
  readonly dirs: readonly (readonly [dir: string, recursive: boolean, listing: string])[];
  readonly skipDirs: readonly string[];
  readonly outputs: readonly (readonly [file: string, hash: string])[];
  /** The hash of the per-file results' file, when the run wrote one. */
  readonly reuse?: string;
}

export interface RunInputs {
  readonly files: readonly string[];
  readonly dirs: Readonly<Record<string, boolean>>;
  /** Directories under those that are not inputs (the tsconfig's outDir). */
  readonly skipDirs: readonly string[];
  readonly outputs: readonly string[];
  readonly workers: number;
  /** The run's per-file results, for a later run to reuse. */
  readonly reuse?: ReuseState;
}

/** What a rerun may reuse: the recorded per-file results and the project files that differ since. */
export interface PreviousRun {
  readonly reuse: ReuseState;
  /** Project source files whose content changed or that no longer exist. */
  readonly changed: readonly string[];
  /** Every file the recorded run read (project, packages, configs): a rerun still reads them for its record. */
  readonly files: readonly string[];
}

/**
 * The recorded run's results when every difference since is in the project's own source files (or in the
 * outputs, or the file listing); undefined when there is no usable record or a package, a declaration file or a
 * config file changed.
 */
export function previousRun(config: GenConfig): PreviousRun | undefined {
  if (!config.cache) return undefined;
  const record = readRecord(config.cache);
  if (!record?.reuse || record.format !== FORMAT || record.key !== cacheKey(config)) return undefined;
  const reuse = readReuse(config.cache, record.reuse);
  if (!reuse) return undefined;
  const changed: string[] = [];
  for (const [file, size, mtimeMs, hash] of record.files) {
    if (file === config.out) continue; // our own stubs: an output, which the analysis skips
    const stat = statOrUndefined(file);
    if (stat && stat.size === size && stat.mtimeMs === mtimeMs) continue;
    if (stat && hashFile(file) === hash) continue;
    if (!(file in reuse.files)) return undefined;
    changed.push(file);
  }
  return { reuse, changed, files: record.files.map(([file]) => file) };
}

/** The worker count of the recorded run when nothing changed since, else undefined. */
export function freshRun(config: GenConfig): { workers: number } | undefined {
  if (!config.cache) return undefined;
  const record = readRecord(config.cache);
  if (!record || record.format !== FORMAT || record.key !== cacheKey(config)) return undefined;
  for (const [file, size, mtimeMs, hash] of record.files) {
    const stat = statOrUndefined(file);
    if (!stat) return undefined;
    if (stat.size === size && stat.mtimeMs === mtimeMs) continue;
    if (hashFile(file) !== hash) return undefined;
  }
  for (const [dir, recursive, listing] of record.dirs) {
    if (listingHash(dir, recursive, record.skipDirs) !== listing) return undefined;
  }
  for (const [file, hash] of record.outputs) {
    if (hashFile(file) !== hash) return undefined;
  }
  return { workers: record.workers };
}

export function recordRun(config: GenConfig, inputs: RunInputs): void {
  if (!config.cache) return;
  const before = new Map((readRecord(config.cache)?.files ?? []).map((entry) => [entry[0], entry]));
  const files = [...new Set(inputs.files)].flatMap((file) => {
    const stat = statOrUndefined(file);
    if (!stat) return [];
    const known = before.get(file);
    const hash =
      known && known[1] === stat.size && known[2] === stat.mtimeMs ? known[3] : (hashFile(file) ?? '');
    return [[file, stat.size, stat.mtimeMs, hash] as const];
  });
  const reuseText = inputs.reuse ? JSON.stringify(inputs.reuse) : undefined;
  const record: CacheRecord = {
    ...(reuseText !== undefined ? { reuse: createHash('sha1').update(reuseText).digest('hex') } : {}),
    format: FORMAT,
    key: cacheKey(config),
    workers: inputs.workers,
    files,
    dirs: Object.entries(inputs.dirs).map(
      ([dir, recursive]) => [dir, recursive, listingHash(dir, recursive, inputs.skipDirs)] as const,
    ),
    skipDirs: inputs.skipDirs,
    outputs: inputs.outputs.map((file) => [file, hashFile(file) ?? ''] as const),
  };
  try {
    mkdirSync(path.dirname(config.cache), { recursive: true });
    if (reuseText !== undefined) writeFileSync(reuseFile(config.cache), reuseText);
    writeFileSync(config.cache, JSON.stringify(record));
  } catch {
    // A cache that cannot be written only costs the next run its shortcut.
  }
}

function reuseFile(cache: string): string {
  return `${cache.replace(/\.json$/, '')}.reuse.json`;
}

/** The per-file results the record names, or undefined when the file is missing or from another run. */
function readReuse(cache: string, hash: string): ReuseState | undefined {
  try {
    const text = readFileSync(reuseFile(cache), 'utf8');
    if (createHash('sha1').update(text).digest('hex') !== hash) return undefined;
    return JSON.parse(text) as ReuseState;
  } catch {
    return undefined;
  }
}

function readRecord(file: string): CacheRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CacheRecord;
  } catch {
    return undefined;
  }
}

function cacheKey(config: GenConfig): string {
  return JSON.stringify([
    config.project,
    config.out,
    config.registry,
    config.registryMode,
    config.registryFormat,
    config.server,
    config.record,
    generatorFingerprint(),
  ]);
}

let fingerprint: string | undefined;

/**
 * Sizes and mtimes of sidepunch-gen's own files and of ts-morph's package.json: a rebuild or upgrade misses (and
 * replaces a build daemon started before it).
 */
export function generatorFingerprint(): string {
  if (fingerprint) return fingerprint;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  const require = createRequire(import.meta.url);
  files.push(require.resolve('ts-morph/package.json'), require.resolve('esbuild/package.json'));
  fingerprint = files
    .map((file) => {
      const stat = statSync(file);
      return `${file}:${stat.size}:${stat.mtimeMs}`;
    })
    .join('\n');
  fingerprint = createHash('sha1').update(fingerprint).update(process.version).digest('hex');
  return fingerprint;
}

function listingHash(dir: string, recursive: boolean, skipDirs: readonly string[]): string {
  const hash = createHash('sha1');
  for (const line of listing(dir, recursive, skipDirs)) hash.update(`${line}\n`);
  return hash.digest('hex');
}

/**
 * The files under a globbed directory, sorted (and `missing:<dir>` for one that cannot be read), without
 * node_modules, dot directories and the skipped ones: what the no-change check and the build daemon compare.
 */
export function listing(dir: string, recursive: boolean, skipDirs: readonly string[]): string[] {
  const lines: string[] = [];
  const walk = (current: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      lines.push(`missing:${current}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (
          !recursive ||
          entry.name === 'node_modules' ||
          entry.name.startsWith('.') ||
          skipDirs.includes(full)
        ) {
          continue;
        }
        walk(full);
      } else {
        lines.push(full);
      }
    }
  };
  walk(dir);
  return lines;
}

function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function hashFile(file: string): string | undefined {
  try {
    return createHash('sha1').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}
