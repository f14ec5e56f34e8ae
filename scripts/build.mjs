// Compiles runtime/ and compiler/ to dist/ (ES modules) and copies the Lua scripts beside the compiled loader;
// then the CommonJS build in dist/cjs/ (scripts/build-cjs.mjs).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
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
await buildCommonJs();
