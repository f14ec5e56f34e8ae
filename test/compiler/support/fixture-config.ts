/**
 * A GenConfig for a fixture project: outputs at the defaults inside the fixture, no cache, messages relative
 * to the fixture's directory (as if sidepunch-gen ran there).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenConfig } from '../../../compiler/config.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const WORKER_FIXTURES = path.join(REPO, 'fixtures/workers');

export function fixtureConfig(dir: string, overrides: Partial<GenConfig> = {}): GenConfig {
  return {
    cwd: dir,
    packageDir: dir,
    project: path.join(dir, 'tsconfig.json'),
    out: path.join(dir, 'src/sidepunch.generated.ts'),
    registry: path.join(dir, 'dist/registry.js'),
    registryMode: 'bundle',
    registryFormat: 'esm',
    cache: false,
    ...overrides,
  };
}
