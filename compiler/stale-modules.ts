/**
 * The modules layout's tree (`dist/registry.modules/`, module-layout.ts) holds exactly the built modules the
 * registry imports: after a run writes its outputs, the files no longer imported (a source removed or renamed, a
 * module nothing imports any more) are deleted, then the directories left empty. A registry written in another
 * layout imports none of them, so the whole tree goes and no old tree looks live beside a bundle. The directory is
 * sidepunch-gen's: everything in it that the registry does not import is deleted; nothing outside it is touched,
 * and a symbolic link in it is deleted, never followed.
 */
import { type Dirent, lstatSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';

export interface ModulesTree {
  /** `dist/registry.modules`, absolute. */
  readonly dir: string;
  /** The built files the registry imports (absolute; none when it is not in the modules layout). */
  readonly modules: readonly string[];
}

/** The files in the tree that the registry does not import. */
export function staleModules(tree: ModulesTree): string[] {
  const stale: string[] = [];
  visit(tree, (file) => stale.push(file));
  return stale;
}

/** Deletes the files in the tree that the registry does not import, then the directories left empty. */
export function removeStaleModules(tree: ModulesTree): string[] {
  const removed: string[] = [];
  visit(
    tree,
    (file) => {
      if (ignoreMissing(() => unlinkSync(file))) removed.push(file);
    },
    (dir) => ignoreMissing(() => rmdirSync(dir)),
  );
  return removed;
}

/** False when the file was already gone (another run deleted it first). */
function ignoreMissing(remove: () => void): boolean {
  try {
    remove();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function visit(tree: ModulesTree, onStale: (file: string) => void, onEmptied?: (dir: string) => void): void {
  if (!isDirectory(tree.dir)) return;
  const keep = new Set(tree.modules);
  /** Whether anything is left in `dir`. */
  const walk = (dir: string): boolean => {
    let left = false;
    for (const entry of entries(dir)) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (walk(file)) left = true;
      } else if (keep.has(file)) left = true;
      else onStale(file);
    }
    if (!left) onEmptied?.(dir);
    return left;
  };
  walk(tree.dir);
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A real directory, not a link to one. */
function isDirectory(dir: string): boolean {
  try {
    return lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}
