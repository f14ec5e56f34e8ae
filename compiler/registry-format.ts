/**
 * The module format the registry is written in: the one Node will read the file as, so it loads without
 * re-parsing and without the MODULE_TYPELESS_PACKAGE_JSON warning. `.mjs` and `.cjs` say it; a `.js` file follows
 * the nearest package.json: ES modules under `"type": "module"`, CommonJS otherwise (no `"type"` is CommonJS).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findUp } from './find-up.js';

export type RegistryFormat = 'esm' | 'cjs';

export function registryFormat(registryFile: string): RegistryFormat {
  const extension = path.extname(registryFile);
  if (extension === '.mjs') return 'esm';
  if (extension === '.cjs') return 'cjs';
  const packageFile = findUp(path.dirname(registryFile), 'package.json');
  return packageFile && packageType(packageFile) === 'module' ? 'esm' : 'cjs';
}

function packageType(packageFile: string): unknown {
  try {
    return (JSON.parse(readFileSync(packageFile, 'utf8')) as { type?: unknown }).type;
  } catch {
    return undefined;
  }
}
