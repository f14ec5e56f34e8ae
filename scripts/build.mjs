// Compiles runtime/ and compiler/ to dist/ (ES modules), copies the Lua scripts beside the compiled loader and
// writes their text into it (for apps that bundle sidepunch); then the CommonJS build in dist/cjs/ (build-cjs.mjs).
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCommonJs } from './build-cjs.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`],
  {
    stdio: 'inherit',
  },
);
cpSync(`${root}runtime/redis/scripts`, `${root}dist/runtime/redis/scripts`, { recursive: true });
embedScripts();
await buildCommonJs();

/**
 * Writes every Lua script's text into the compiled loader, so an app that bundles sidepunch into its own file
 * (esbuild, webpack) carries them: the files beside it are not there once bundled. The files still ship.
 */
function embedScripts() {
  const loader = `${root}dist/runtime/redis/scripts.js`;
  const placeholder = 'const EMBEDDED_SOURCES = undefined;';
  const compiled = readFileSync(loader, 'utf8');
  if (compiled.split(placeholder).length !== 2) throw new Error(`build: ${loader} lost its "${placeholder}"`);
  const scripts = Object.fromEntries(
    readdirSync(`${root}runtime/redis/scripts`)
      .filter((file) => file.endsWith('.lua'))
      .sort()
      .map((file) => [file, readFileSync(`${root}runtime/redis/scripts/${file}`, 'utf8')]),
  );
  writeFileSync(
    loader,
    compiled.replace(placeholder, `const EMBEDDED_SOURCES = ${JSON.stringify(scripts)};`),
  );
}
