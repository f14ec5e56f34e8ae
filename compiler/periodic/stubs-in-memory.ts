/**
 * An esbuild plugin that serves the stubs this run generates from memory: a periodic module imports them
 * (`./sidepunch.generated.js`), and on a first run, or after a change of a worker, the file on disk is missing or
 * stale until the run writes its outputs, after bundling.
 */
import path from 'node:path';
import type * as esbuild from 'esbuild';

const SCRIPT_EXTENSIONS = /\.(?:[cm]?js|[cm]?ts|tsx|jsx)$/;

export function stubsInMemory(stubsPath: string, text: () => string): esbuild.Plugin {
  const file = path.resolve(stubsPath);
  const target = stripExtension(file);
  return {
    name: 'sidepunch-stubs',
    setup(build) {
      // Only relative imports that name the stubs' file reach this callback (esbuild filters them in Go).
      const named = new RegExp(
        `^\\.\\.?/(?:.*/)?${escapeRegExp(path.basename(target))}(?:\\.[cm]?[jt]sx?)?$`,
      );
      build.onResolve({ filter: named }, (args) => {
        if (!args.resolveDir) return undefined;
        const candidate = stripExtension(path.resolve(args.resolveDir, args.path));
        return candidate === target ? { path: file } : undefined;
      });
      build.onLoad({ filter: new RegExp(`^${escapeRegExp(file)}$`) }, () => ({
        contents: text(),
        loader: 'ts',
        resolveDir: path.dirname(file),
      }));
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stripExtension(file: string): string {
  return file.replace(SCRIPT_EXTENSIONS, '');
}
