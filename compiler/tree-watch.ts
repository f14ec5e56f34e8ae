/**
 * Watches a directory, and with `recursive` the directories under it, calling back with each file an event
 * names. On Linux each directory has its own watcher: Node 20's recursive watcher there follows files, and loses
 * one an editor saves by writing a new file and renaming it over the old (vim, JetBrains' safe write), so the
 * second such save went unseen. A directory's watcher sees every save. New directories are watched as they
 * appear; `node_modules` and dot directories are not walked. Elsewhere Node's recursive watcher is native.
 */
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import path from 'node:path';

export interface TreeWatcher {
  close(): void;
}

export function watchTree(dir: string, recursive: boolean, onFile: (file: string) => void): TreeWatcher {
  if (!recursive || process.platform !== 'linux') {
    const watcher = watch(dir, { recursive }, (_event, name) => {
      if (name) onFile(path.resolve(dir, name.toString()));
    });
    watcher.on('error', () => watcher.close());
    return watcher;
  }
  const watchers = new Map<string, FSWatcher>();
  const add = (directory: string) => {
    if (watchers.has(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, (_event, name) => {
        if (!name) return;
        const file = path.join(directory, name.toString());
        if (isWalked(name.toString()) && isDirectory(file)) add(file);
        onFile(file);
      });
    } catch {
      return; // removed meanwhile
    }
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(directory);
    });
    watchers.set(directory, watcher);
    for (const entry of subdirectories(directory)) add(path.join(directory, entry));
  };
  add(path.resolve(dir));
  return {
    close() {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

function isWalked(name: string): boolean {
  return name !== 'node_modules' && !name.startsWith('.');
}

function subdirectories(directory: string): string[] {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && isWalked(entry.name))
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
