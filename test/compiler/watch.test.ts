/**
 * `sidepunch-gen --watch`: regenerates on an edit, an added file, and recovers from an error, printing tsc's
 * watch lines; a run with errors writes nothing; an edit re-analyzes only the files it affects.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../../compiler/generate.js';
import { type Watcher, watchAndGenerate } from '../../compiler/watch.js';
import { fixtureConfig } from './support/fixture-config.js';
import { type TempProject, tempProject, workerSource } from './support/temp-project.js';

let app: TempProject | undefined;
let watcher: Watcher | undefined;
afterEach(async () => {
  watcher?.close();
  await watcher?.closed;
  app?.remove();
});

describe('sidepunch-gen --watch', () => {
  it('regenerates when a worker changes or is added, and writes nothing while there are errors', async () => {
    app = tempProject({ 'src/workers/send.ts': workerSource('SendEmail', 'to: string') });
    let printed = '';
    const io = {
      cwd: app.dir,
      color: false,
      stdout: (text: string) => {
        printed += text;
      },
      stderr: () => {},
    };
    watcher = watchAndGenerate(fixtureConfig(app.dir), io);

    const first = await watcher.nextRun();
    expect(first.diagnostics).toEqual([]);
    expect(app.read('src/sidepunch.generated.ts')).toContain(
      "SendEmail: workerStub<[to: string], 'SendEmail'>",
    );
    expect(printed).toMatch(
      /Starting generation in watch mode\.\.\.\n\n.*Found 0 errors\. Watching for file changes\./s,
    );

    const edited = watcher.nextRun();
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, bcc: string[]'));
    expect((await edited).diagnostics).toEqual([]);
    expect(app.read('src/sidepunch.generated.ts')).toContain(
      "SendEmail: workerStub<[to: string, bcc: string[]], 'SendEmail'>",
    );

    const broken = watcher.nextRun();
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, at: Date'));
    expect((await broken).diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['SP1004']);
    expect(printed).toContain('File change detected. Starting incremental generation...');
    expect(printed).toContain(`${path.join('src', 'workers', 'send.ts')}:4:23 - error SP1004`);
    expect(printed).toContain('Found 1 error. Watching for file changes.');
    // As tsc --watch: the watch line is the only count, without the one-shot run's "Found 1 error in …".
    expect(printed).not.toContain('Found 1 error in');
    expect(app.read('src/sidepunch.generated.ts')).toContain('[to: string, bcc: string[]]');

    const added = watcher.nextRun();
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, at: string'));
    app.write('src/workers/sync.ts', workerSource('Sync', 'id: number'));
    const result = await added;
    expect(result.diagnostics).toEqual([]);
    const stubs = app.read('src/sidepunch.generated.ts');
    expect(stubs).toContain("SendEmail: workerStub<[to: string, at: string], 'SendEmail'>");
    expect(stubs).toContain("Sync: workerStub<[id: number], 'Sync'>");
  });

  it('re-analyzes only the edited file and writes what a cold run writes', async () => {
    app = tempProject({
      'src/types.ts': 'export interface Range {\n  from: string;\n  to: string;\n}\n',
      'src/workers/report.ts': `import type { Range } from '../types.js';\n${workerSource('Report', 'range: Range')}`,
      'src/workers/send.ts': workerSource('SendEmail', 'to: string'),
      'src/workers/sync.ts': workerSource('Sync', 'id: number'),
    });
    const io = { cwd: app.dir, color: false, stdout: () => {}, stderr: () => {} };
    watcher = watchAndGenerate(fixtureConfig(app.dir), io);
    expect((await watcher.nextRun()).diagnostics).toEqual([]);

    const edited = watcher.nextRun();
    app.write('src/workers/send.ts', workerSource('SendEmail', "to: string, kind: 'plain' | 'html'"));
    const run = await edited;
    expect(run.diagnostics).toEqual([]);
    expect(run.analyzedFiles).toBe(1);
    const shared = watcher.nextRun();
    app.write('src/types.ts', 'export interface Range {\n  from: string;\n  to?: string;\n}\n');
    expect((await shared).analyzedFiles).toBe(2); // types.ts and report.ts

    const written = ['src/sidepunch.generated.ts', 'dist/registry.js'].map((file) => app!.read(file));
    const cold = await generate(fixtureConfig(app.dir));
    expect(cold.outputs.map((output) => output.text)).toEqual(written);
  });

  it('reloads when a package.json that decides how an import resolves changes', async () => {
    app = tempProject(
      {
        'src/types.ts': 'export interface Payload {\n  id: string;\n}\n',
        'src/alt/types.ts': 'export interface Payload {\n  id: string;\n  note?: string;\n}\n',
        'src/workers/send.ts': `import type { Payload } from '#t/types.js';\n${workerSource('SendEmail', 'payload: Payload')}`,
        'node_modules/extpkg/package.json': JSON.stringify({ name: 'extpkg', types: 'index.d.ts' }),
        'node_modules/extpkg/index.d.ts': 'export interface Options {\n  id: string;\n}\n',
        'node_modules/extpkg/v2.d.ts': 'export interface Options {\n  id: string;\n  retries?: number;\n}\n',
        'src/workers/sync.ts': `import type { Options } from 'extpkg';\n${workerSource('Sync', 'options: Options')}`,
      },
      { imports: { '#t/*': './src/*' } },
    );
    const io = { cwd: app.dir, color: false, stdout: () => {}, stderr: () => {} };
    watcher = watchAndGenerate(fixtureConfig(app.dir), io);
    expect((await watcher.nextRun()).diagnostics).toEqual([]);
    const sameAsCold = async () => {
      const written = ['src/sidepunch.generated.ts', 'dist/registry.js'].map((file) => app!.read(file));
      const cold = await generate(fixtureConfig(app!.dir));
      expect(cold.outputs.map((output) => output.text)).toEqual(written);
    };

    const own = watcher.nextRun();
    app.write('package.json', app.read('package.json').replace('./src/*', './src/alt/*'));
    expect((await own).diagnostics).toEqual([]);
    expect(app.read('dist/registry.js')).toContain('note');
    await sameAsCold();

    const dependency = watcher.nextRun();
    app.write('node_modules/extpkg/package.json', JSON.stringify({ name: 'extpkg', types: 'v2.d.ts' }));
    expect((await dependency).diagnostics).toEqual([]);
    expect(app.read('dist/registry.js')).toContain('retries');
    await sameAsCold();
  });
});
