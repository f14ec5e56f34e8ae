// The CommonJS build beside the ES module one, for apps that `require('sidepunch')` on any Node 20 (without
// require(esm)): dist/cjs/ mirrors dist/ file for file, under a package.json that says "commonjs".
//  1. every compiled .js is transformed to CommonJS by esbuild, one file at a time (not bundled: the module graph
//     stays as it is, so each entry shares the others' modules); `import.meta.url` becomes the file's own URL;
//  2. a worker thread's entry awaits at top level, which CommonJS cannot: its CommonJS file imports the ES module
//     one (a thread is its own module graph, so nothing is shared twice);
//  3. the declarations are copied, so TypeScript reads them as CommonJS for a `require` (no TS1479);
//  4. the Lua scripts are copied beside the loader that reads them.
// State that must be one per process lives on globalThis (runtime/core/process-wide.ts): an app that loads both
// copies still has one default client, one set of chains and handlers, one testing mode.
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const cjs = path.join(dist, 'cjs');

/** Worker thread entries: they await at top level. */
const THREAD_ENTRIES = [
  'runtime/server/heartbeat-keeper-thread.js',
  'runtime/server/supervise/thread-entry.js',
];

const IMPORT_META_URL = '__sidepunchImportMetaUrl';

export async function buildCommonJs() {
  mkdirSync(cjs, { recursive: true });
  writeFileSync(path.join(cjs, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  for (const tree of ['runtime', 'compiler']) {
    for (const file of filesUnder(path.join(dist, tree))) {
      const relative = path.relative(dist, file).split(path.sep).join('/');
      const target = path.join(cjs, relative);
      mkdirSync(path.dirname(target), { recursive: true });
      if (relative.endsWith('.d.ts')) copyFileSync(file, target);
      else if (THREAD_ENTRIES.includes(relative)) writeFileSync(target, threadForwarder(target, file));
      else if (relative.endsWith('.js'))
        writeFileSync(target, await toCommonJs(readFileSync(file, 'utf8'), relative));
    }
  }
  cpSync(path.join(dist, 'runtime/redis/scripts'), path.join(cjs, 'runtime/redis/scripts'), {
    recursive: true,
  });
}

async function toCommonJs(code, file) {
  const usesImportMeta = code.includes('import.meta');
  const result = await transform(code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'), {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    ...(usesImportMeta
      ? {
          define: { 'import.meta.url': IMPORT_META_URL },
          banner: `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;`,
        }
      : {}),
  });
  // esbuild warns of what CommonJS cannot hold (an `import.meta` other than `.url`, say): fail the build on it.
  if (result.warnings.length > 0) throw new Error(`build-cjs: ${file}: ${result.warnings[0].text}`);
  return result.code;
}

function threadForwarder(target, esmFile) {
  const specifier = path.relative(path.dirname(target), esmFile).split(path.sep).join('/');
  return `"use strict";
// A worker thread's entry awaits at top level, which CommonJS cannot: the thread runs the ES module build.
import(${JSON.stringify(specifier)});
`;
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
