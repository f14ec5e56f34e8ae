// Bundles a TypeScript entry of this repo for Node with esbuild: packages stay external, so they resolve from
// node_modules as usual. Used by scripts/run-ts.mjs and the counters demo.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * Writes `entry` bundled as one ES module to `outfile`. With `resolveDir`, its imports resolve from there instead
 * of beside it (a script bundled against files generated elsewhere).
 */
export async function bundleTs(entry, outfile, { resolveDir } = {}) {
  await build({
    ...(resolveDir
      ? { stdin: { contents: readFileSync(entry, 'utf8'), resolveDir, sourcefile: entry, loader: 'ts' } }
      : { entryPoints: [entry] }),
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}
