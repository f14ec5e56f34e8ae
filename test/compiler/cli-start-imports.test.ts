/**
 * `sidepunch-gen --help`, `--version` and the missing-dependency line (and `sidepunch/esbuild`'s) must work where
 * ts-morph and esbuild are not installed (a production install): their static imports never reach them; only
 * dynamic imports, after the check, do. (A settings module once reached ts-morph through the shapes record, and the CLI crashed there.)
 */
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/fixture-config.js';

describe("sidepunch-gen's start, and sidepunch/esbuild's", () => {
  it.each(['cli.ts', 'esbuild-plugin.ts'])(
    'compiler/%s reaches neither ts-morph, typescript nor esbuild through static imports',
    async (entry) => {
      const result = await esbuild.build({
        entryPoints: [`${REPO}compiler/${entry}`],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'esm',
        metafile: true,
        logLevel: 'silent',
        plugins: [
          {
            name: 'dynamic-and-packages-external',
            setup(build) {
              build.onResolve({ filter: /.*/ }, (args) =>
                args.kind === 'dynamic-import' || /^[^./]/.test(args.path)
                  ? { path: args.path, external: true }
                  : undefined,
              );
            },
          },
        ],
      });
      const heavy = Object.entries(result.metafile.inputs).flatMap(([file, input]) =>
        input.imports
          .filter((imported) => /^(ts-morph|typescript|esbuild)(\/|$)/.test(imported.path))
          .map((imported) => `${file} imports ${imported.path}`),
      );
      expect(heavy).toEqual([]);
    },
  );
});
