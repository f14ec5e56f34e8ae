/**
 * One configuration's state in the build daemon: a kept project (kept-project.ts) and what its files looked like
 * at the last run. Each run:
 *  1. stats every file the last program read (and the config files and package.json), and re-lists the
 *     directories the tsconfig globs, as the cache's no-change check does: a file whose size or mtime differs
 *     is changed, one that appeared or vanished is added or removed; our own outputs are not inputs;
 *  2. regenerates from those changes (a changed package.json reloads, like a changed tsconfig: the project's, or
 *     one that decides how an import resolves);
 *  3. remembers the files of the new program.
 * Stat-based rather than fs.watch-based: a request is answered from what is on disk when it arrives, with no
 * event still on its way.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { listing, type PreviousRun, previousRun } from './cache.js';
import type { GenConfig } from './config.js';
import type { Generation } from './generate.js';
import { KeptProject } from './kept-project.js';
import { programFiles } from './package-files.js';
import type { LoadedProject } from './project.js';

const SOURCE = /\.(c|m)?tsx?$|\.json$/;

interface Snapshot {
  /** File → `size:mtime`, or '' when missing. */
  readonly stats: ReadonlyMap<string, string>;
  /** Globbed directory → its source files. */
  readonly listings: ReadonlyMap<string, ReadonlySet<string>>;
  readonly dirs: Readonly<Record<string, boolean>>;
  readonly skipDirs: readonly string[];
}

export class DaemonProject {
  private readonly kept: KeptProject;
  private snapshot: Snapshot | undefined;
  private readonly ignored: ReadonlySet<string>;
  private readonly packageJson: string;

  constructor(private readonly config: GenConfig) {
    this.kept = new KeptProject(config);
    this.ignored = new Set([
      config.out,
      config.registry,
      ...(config.record ? [config.record] : []),
      ...(config.cache ? [config.cache] : []),
    ]);
    this.packageJson = path.join(config.packageDir, 'package.json');
  }

  async generate(acceptBreak: readonly string[] = []): Promise<Generation> {
    const before = this.snapshot;
    const now = before && take([...before.stats.keys()], before.dirs, before.skipDirs);
    const changed = new Set<string>();
    if (before && now) {
      for (const [file, stat] of now.stats) if (before.stats.get(file) !== stat) changed.add(file);
      for (const [dir, files] of now.listings) {
        const old = before.listings.get(dir) ?? new Set();
        for (const file of files) if (!old.has(file)) changed.add(file);
        for (const file of old) if (!files.has(file)) changed.add(file);
      }
      for (const file of this.ignored) changed.delete(file);
      if (changed.delete(this.packageJson)) changed.add(this.config.project);
    }
    const seed = (): PreviousRun | undefined => previousRun(this.config);
    const generation = await this.kept.regenerate(changed, seed, acceptBreak);
    const loaded = this.kept.project;
    this.snapshot = loaded ? this.remember(loaded, now) : undefined;
    return generation;
  }

  dispose(): Promise<void> {
    return this.kept.dispose();
  }

  /** The new program's files, with the stats taken before the run where known (an edit during it shows next time). */
  private remember(loaded: LoadedProject, taken: Snapshot | undefined): Snapshot {
    const files = programFiles(loaded);
    const { outDir, declarationDir } = loaded.compilerOptions;
    const skipDirs = [outDir, declarationDir].filter((dir): dir is string => dir !== undefined);
    const sameDirs = taken && JSON.stringify(taken.dirs) === JSON.stringify(loaded.wildcardDirectories);
    const watched = [...files, ...loaded.configFiles, this.packageJson];
    const fresh = take(
      watched.filter((file) => !taken?.stats.has(file)),
      sameDirs ? {} : loaded.wildcardDirectories,
      skipDirs,
    );
    const stats = new Map(fresh.stats);
    for (const file of watched) {
      const known = taken?.stats.get(file);
      if (known !== undefined) stats.set(file, known);
    }
    const listings = sameDirs ? taken.listings : fresh.listings;
    return { stats, listings, dirs: loaded.wildcardDirectories, skipDirs };
  }
}

function take(
  files: readonly string[],
  dirs: Readonly<Record<string, boolean>>,
  skipDirs: readonly string[],
): Snapshot {
  const stats = new Map<string, string>();
  for (const file of files) stats.set(file, statText(file));
  const listings = new Map<string, Set<string>>();
  for (const [dir, recursive] of Object.entries(dirs)) {
    listings.set(dir, new Set(listing(dir, recursive, skipDirs).filter((file) => SOURCE.test(file))));
  }
  return { stats, listings, dirs, skipDirs };
}

function statText(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return '';
  }
}
