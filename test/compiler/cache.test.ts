/**
 * The no-change cache: a rerun that read nothing new is answered from node_modules/.cache/sidepunch-gen
 * before TypeScript loads; anything that could change the result makes it run again.
 */
import { existsSync, rmSync, utimesSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { type TempProject, useTempProjects, workerSource } from './support/temp-project.js';

const tempProject = useTempProjects();

async function generatedProject(): Promise<TempProject> {
  const app = tempProject({
    'src/workers/send.ts': workerSource('SendEmail', 'to: string'),
    'src/types.ts': 'export interface Unused {\n  id: string;\n}\n',
  });
  const first = await runCli(app.dir);
  expect(first.stdout).toContain('1 worker →');
  return app;
}

/** A cached run, then a cold one: whether the cache answered, and whether both wrote the same outputs. */
async function cachedThenCold(app: TempProject): Promise<{ cached: boolean; same: boolean }> {
  const outputs = () => ['src/sidepunch.generated.ts', 'dist/registry.js'].map((file) => app.read(file));
  const cached = CACHED.test((await runCli(app.dir)).stdout);
  const written = outputs();
  expect((await runCli(app.dir, '--no-cache')).code).toBe(0);
  return { cached, same: JSON.stringify(outputs()) === JSON.stringify(written) };
}

const CACHED =
  /^sidepunch-gen: 1 worker; src\/sidepunch\.generated\.ts and dist\/registry\.js are up to date \(cached, /;

describe('the sidepunch-gen cache', () => {
  it('answers a rerun with nothing changed from the cache, even when files were touched', async () => {
    const app = await generatedProject();
    expect(existsSync(app.path('node_modules/.cache/sidepunch-gen/tsconfig.json.json'))).toBe(true);
    expect((await runCli(app.dir)).stdout).toMatch(CACHED);
    const later = new Date(Date.now() + 5_000);
    utimesSync(app.path('src/workers/send.ts'), later, later);
    expect((await runCli(app.dir)).stdout).toMatch(CACHED);
    expect((await runCli(app.dir, '--check')).stdout).toMatch(CACHED);
  });

  it('runs again when a source file changes', async () => {
    const app = await generatedProject();
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, cc?: string[]'));
    const run = await runCli(app.dir);
    expect(run.stdout).toContain('1 worker → src/sidepunch.generated.ts, dist/registry.js');
    expect(app.read('src/sidepunch.generated.ts')).toContain('[to: string, cc?: string[]]');
  });

  it('runs again when a file is added to the project', async () => {
    const app = await generatedProject();
    app.write('src/workers/sync.ts', workerSource('Sync', 'id: number'));
    const run = await runCli(app.dir);
    expect(run.stdout).toContain('2 workers →');
  });

  it('runs again when an output was edited or deleted, and restores it', async () => {
    const app = await generatedProject();
    const stubs = app.read('src/sidepunch.generated.ts');
    app.write('src/sidepunch.generated.ts', '// edited by hand\n');
    expect((await runCli(app.dir)).stdout).toContain('→ src/sidepunch.generated.ts (');
    expect(app.read('src/sidepunch.generated.ts')).toBe(stubs);
    rmSync(app.path('dist/registry.js'));
    expect((await runCli(app.dir)).stdout).toContain('→ dist/registry.js (');
  });

  it('runs again when the tsconfig changes', async () => {
    const app = await generatedProject();
    app.write(
      'tsconfig.json',
      app.read('tsconfig.json').replace('"strict":true', '"strict":true,"noUnusedLocals":true'),
    );
    expect((await runCli(app.dir)).stdout).not.toMatch(CACHED);
  });

  it("runs again when the project's package.json changes how an import resolves", async () => {
    const app = tempProject(
      {
        'src/types.ts': 'export interface Payload {\n  id: string;\n}\n',
        'src/alt/types.ts': 'export interface Payload {\n  id: string;\n  note?: string;\n}\n',
        'src/workers/send.ts': `import type { Payload } from '#t/types.js';\n${workerSource('SendEmail', 'payload: Payload')}`,
      },
      { imports: { '#t/*': './src/*' } },
    );
    expect((await runCli(app.dir)).code).toBe(0);
    app.write('package.json', app.read('package.json').replace('./src/*', './src/alt/*'));
    expect(await cachedThenCold(app)).toMatchObject({ same: true, cached: false });
  });

  it("runs again when a package's package.json points its types elsewhere", async () => {
    const app = tempProject({
      'node_modules/extpkg/package.json': JSON.stringify({ name: 'extpkg', types: 'index.d.ts' }),
      'node_modules/extpkg/index.d.ts': 'export interface Payload {\n  id: string;\n}\n',
      'node_modules/extpkg/v2.d.ts': 'export interface Payload {\n  id: string;\n  note?: string;\n}\n',
      'src/workers/send.ts': `import type { Payload } from 'extpkg';\n${workerSource('SendEmail', 'payload: Payload')}`,
    });
    expect((await runCli(app.dir)).code).toBe(0);
    app.write('node_modules/extpkg/package.json', JSON.stringify({ name: 'extpkg', types: 'v2.d.ts' }));
    expect(await cachedThenCold(app)).toMatchObject({ same: true, cached: false });
  });

  it("runs again when a package's root exports change though a nested package.json is nearer its types", async () => {
    const exportsTo = (dir: string) =>
      JSON.stringify({ name: 'extpkg', exports: { '.': { types: `./${dir}/index.d.ts` } } });
    const app = tempProject({
      'node_modules/extpkg/package.json': exportsTo('sub'),
      'node_modules/extpkg/sub/package.json': JSON.stringify({ type: 'module' }),
      'node_modules/extpkg/sub/index.d.ts': 'export interface Payload {\n  id: string;\n}\n',
      'node_modules/extpkg/v2/index.d.ts': 'export interface Payload {\n  id: string;\n  note?: string;\n}\n',
      'src/workers/send.ts': `import type { Payload } from 'extpkg';\n${workerSource('SendEmail', 'payload: Payload')}`,
    });
    expect((await runCli(app.dir)).code).toBe(0);
    app.write('node_modules/extpkg/package.json', exportsTo('v2'));
    expect(await cachedThenCold(app)).toMatchObject({ same: true, cached: false });
  });

  it('does not record a run with errors, so the next run reports them again', async () => {
    const app = await generatedProject();
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: Date'));
    expect((await runCli(app.dir)).code).toBe(1);
    const again = await runCli(app.dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error SP1004');
  });

  it('--no-cache neither reads nor trusts the cache', async () => {
    const app = await generatedProject();
    expect((await runCli(app.dir, '--no-cache')).stdout).not.toMatch(CACHED);
  });
});
