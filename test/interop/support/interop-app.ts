/**
 * The TypeScript half of the interop workers (fixtures/interop/src), built as a user builds it: the real
 * `sidepunch-gen` writes the typed stubs and the registry, and esbuild bundles the enqueue script against those
 * stubs. Each test file builds into its own directory, so files running in parallel never share output.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll } from 'vitest';
import { bundleTs } from '../../../scripts/bundle-ts.mjs';
import { REPO_ROOT } from '../../support/runtime-process.js';
import { INTEROP_DIR } from './ruby-sidekiq.js';

export interface InteropApp {
  /** The registry for `sidepunch-run`. */
  readonly registry: string;
  /** The bundled enqueue script (node runs it; it prints `{ jid: args }`). */
  readonly enqueueScript: string;
}

export async function buildInteropApp(label: string): Promise<InteropApp> {
  const out = `${INTEROP_DIR}dist/${label}`;
  rmSync(out, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [
    `${REPO_ROOT}bin/sidepunch-gen.js`,
    '--project',
    `${INTEROP_DIR}tsconfig.json`,
    '--out',
    `${out}/sidepunch.generated.ts`,
    '--registry',
    `${out}/registry.js`,
    '--no-cache',
  ]);
  // The enqueue script's `./sidepunch.generated.js` is the file just generated beside the output.
  await bundleTs(`${INTEROP_DIR}src/enqueue.ts`, `${out}/enqueue.mjs`, { resolveDir: out });
  return { registry: `${out}/registry.js`, enqueueScript: `${out}/enqueue.mjs` };
}

/** The app, built once for the calling describe block (in its beforeAll). */
export function useInteropApp(label: string): InteropApp {
  let app: InteropApp | undefined;
  beforeAll(async () => {
    app = await buildInteropApp(label);
  });
  return {
    get registry() {
      return app!.registry;
    },
    get enqueueScript() {
      return app!.enqueueScript;
    },
  };
}
