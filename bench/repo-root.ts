/** The repository root, for scripts that run bundled from dist/scripts/: the nearest sidepunch package.json above. */
import { readFileSync } from 'node:fs';

export function repoRoot(from: string = new URL('.', import.meta.url).pathname): string {
  for (let current = from; current !== '/'; current = new URL('..', `file://${current}`).pathname) {
    try {
      if (JSON.parse(readFileSync(`${current}package.json`, 'utf8')).name === 'sidepunch') return current;
    } catch {
      // not here
    }
  }
  throw new Error(`no sidepunch package.json above ${from}`);
}
