// Bundles a TypeScript entry of this repo for Node with esbuild: packages stay external, so they resolve from
// node_modules as usual. Used by scripts/run-ts.mjs and the counters demo.
import { build } from 'esbuild';

/** Writes `entry` bundled as one ES module to `outfile`. */
export async function bundleTs(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}
