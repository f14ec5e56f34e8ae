// Runs a TypeScript script of this repo (a benchmark, a tool): bundled next to dist/ (scripts/bundle-ts.mjs), then
// imported with the remaining arguments.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleTs } from './bundle-ts.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run-ts.mjs <script.ts> [args…]\n');
  process.exit(2);
}
const outfile = path.join(root, 'dist/scripts', `${path.basename(entry, '.ts')}.mjs`);
mkdirSync(path.dirname(outfile), { recursive: true });
await bundleTs(path.resolve(entry), outfile);
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
