import { existsSync } from 'node:fs';
import path from 'node:path';

/** The nearest `name` from `start` up to the root, as tsc finds a tsconfig and Node a package.json. */
export function findUp(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
