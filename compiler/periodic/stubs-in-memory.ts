/**
 * An esbuild plugin that serves the stubs this run generates from memory: a periodic module imports them
 * (`./sidepunch.generated.js`), and on a first run, or after a change of a worker, the file on disk is missing or
 * stale until the run writes its outputs, after bundling.
 */
import path from 'node:path';
import type * as esbuild from 'esbuild';

const SCRIPT_EXTENSIONS = /\.(?:[cm]?js|[cm]?ts|tsx|jsx)$/;

export function stubsInMemory(stubs: { readonly path: string; readonly text: string }): esbuild.Plugin {
  const target = stripExtension(path.resolve(stubs.path));
  return {
    name: 'sidepunch-stubs',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.resolveDir) return undefined;
        const candidate = stripExtension(path.resolve(args.resolveDir, args.path));
        return candidate === target ? { path: path.resolve(stubs.path) } : undefined;
      });
      build.onLoad({ filter: new RegExp(`^${escapeRegExp(path.resolve(stubs.path))}$`) }, () => ({
        contents: stubs.text,
        loader: 'ts',
        resolveDir: path.dirname(stubs.path),
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
