/**
 * `sidepunch/esbuild`: a project that builds with esbuild gets its stubs and registry at the start of each
 * build, can bundle the registry itself through `sidepunch:registry`, and sees sidepunch-gen's errors as
 * esbuild errors with their locations.
 */
import { existsSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { sidepunch } from '../../compiler/esbuild-plugin.js';
import { type TempProject, tempProject, workerSource } from './support/temp-project.js';

let app: TempProject | undefined;
afterEach(() => app?.remove());

const MAIN = [
  "import registry from 'sidepunch:registry';",
  "import { jobs } from './sidepunch.generated.js';",
  '',
  'export { jobs, registry };',
  '',
].join('\n');

function build(project: TempProject) {
  return esbuild.build({
    absWorkingDir: project.dir,
    entryPoints: ['src/main.ts'],
    outfile: 'out/main.js',
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    external: ['sidepunch'],
    logLevel: 'silent',
    write: false,
    plugins: [sidepunch({ cache: false })],
  });
}

describe('the esbuild plugin', () => {
  it('generates before the build, so the app bundles the fresh stubs and the registry', async () => {
    app = tempProject({
      'src/main.ts': MAIN,
      'src/workers/send.ts': workerSource('SendEmail', 'to: string'),
    });
    const result = await build(app);
    expect(result.errors).toEqual([]);
    expect(app.read('src/sidepunch.generated.ts')).toContain(
      "SendEmail: workerStub<[to: string], 'SendEmail'>('SendEmail')",
    );
    expect(existsSync(app.path('dist/registry.js'))).toBe(true);
    const bundle = result.outputFiles[0]!.text;
    expect(bundle).toContain('workerStub("SendEmail")');
    expect(bundle).toContain('SendEmail: argsValidator({ tuple: ["string"], min: 1 })');
    expect(bundle).toContain('var SendEmail = class');
  });

  it('fails the build with sidepunch-gen’s diagnostics, located, and leaves the previous stubs', async () => {
    app = tempProject({
      'src/main.ts': MAIN,
      'src/workers/send.ts': workerSource('SendEmail', 'to: string'),
    });
    await build(app);
    const stubs = app.read('src/sidepunch.generated.ts');
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, at: Date'));
    const failure = (await build(app).catch((error: esbuild.BuildFailure) => error)) as esbuild.BuildFailure;
    expect(failure.errors).toHaveLength(1);
    const [error] = failure.errors;
    expect(error!.text).toMatch(
      /^SP1004: Argument 'at' of SendEmail\.perform is not JSON-serializable: at is Date\./,
    );
    expect(error!.location).toMatchObject({
      file: 'src/workers/send.ts',
      line: 4,
      column: 22,
      length: 2,
    });
    expect(app.read('src/sidepunch.generated.ts')).toBe(stubs);
  });
});
