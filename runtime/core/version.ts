/** Sidepunch's version, from its package.json (found from the source tree, dist/ and dist/cjs/ alike). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function sidepunchVersion(): string {
  cached ??= readVersion();
  return cached;
}

function readVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8'));
      if (pkg.name === 'sidepunch' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this depth
    }
  }
  return 'unknown';
}
