/**
 * Generates a fixture's registry for real (analysis, entry, esbuild), writes only the bundle to a temp
 * directory and imports it, so tests call the validators and workers exactly as sidepunch-run would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generate } from '../../../compiler/generate.js';
import type { Registry } from '../../../runtime/core/registry.js';
import { fixtureConfig, WORKER_FIXTURES } from './fixture-config.js';

export async function loadFixtureRegistry(name: string): Promise<Registry> {
  const dir = path.join(WORKER_FIXTURES, name);
  const tempDir = mkdtempSync(path.join(tmpdir(), 'sidepunch-registry-'));
  const registry = path.join(tempDir, 'registry.js');
  const result = await generate(fixtureConfig(dir, { registry }));
  if (result.diagnostics.length > 0) throw new Error(`${name}: ${result.diagnostics[0]!.message}`);
  const bundle = result.outputs.find((output) => output.path === registry)!;
  writeFileSync(registry, bundle.text);
  try {
    return (await import(pathToFileURL(registry).href)).default as Registry;
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}
