/**
 * The `modules` registry layout (compiler/module-tree.ts): the registry imports one built module per source
 * module, so the workers share their modules as in the sources (one instance each); `--watch` uses it for an ES
 * module registry and rebuilds only the edited module; a project whose statements need a bundle's
 * whole-program view, or a CommonJS registry, gets the bundle with a note saying why.
 */
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../compiler/config.js';
import { generate } from '../../compiler/generate.js';
import { writeOutputs } from '../../compiler/outputs.js';
import { type Watcher, watchAndGenerate } from '../../compiler/watch.js';
import type { Registry } from '../../runtime/core/registry.js';
import { fixtureConfig } from './support/fixture-config.js';
import { runCli } from './support/run-cli.js';
import { useTempProjects } from './support/temp-project.js';

const tempProject = useTempProjects();
let watcher: Watcher | undefined;
afterEach(async () => {
  watcher?.close();
  await watcher?.closed;
  watcher = undefined;
});

const COUNTER = 'let count = 0;\nexport function bump(): number {\n  count += 1;\n  return count;\n}\n';

function counting(name: string, body = 'this.seen = bump();'): string {
  return [
    "import type { SidepunchWorker } from 'sidepunch';",
    "import { bump } from '../shared/counter.js';",
    "import limits from '../shared/limits.json' with { type: 'json' };",
    '',
    `export class ${name} implements SidepunchWorker {`,
    '  seen = 0;',
    '  max = limits.max;',
    `  perform(id: string): void {\n    ${body}\n  }`,
    '}',
    '',
  ].join('\n');
}

function project() {
  return tempProject({
    'src/shared/counter.ts': COUNTER,
    'src/shared/limits.json': '{ "max": 3 }\n',
    'src/workers/first.ts': counting('First'),
    'src/workers/second.ts': counting('Second'),
  });
}

let loads = 0;
async function load(dir: string): Promise<Registry> {
  const url = pathToFileURL(path.join(dir, 'dist/registry.js')).href;
  return (await import(`${url}?load=${++loads}`)).default as Registry;
}

function perform(registry: Registry, name: string): { seen: number; max: number } {
  const Worker = registry.workers[name] as unknown as new () => { perform(id: string): void };
  const worker = new Worker();
  worker.perform('x');
  return worker as unknown as { seen: number; max: number };
}

/** Every file under `dist/registry.modules/`, relative to it; [] when the directory does not exist. */
function modulesTree(dir: string): string[] {
  const root = path.join(dir, 'dist/registry.modules');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** A worker in its own directory, whose module is the only one to import `src/legacy/helper.ts`. */
const THIRD = [
  "import type { SidepunchWorker } from 'sidepunch';",
  "import { help } from '../../legacy/helper.js';",
  '',
  'export class Third implements SidepunchWorker {',
  '  perform(id: string): void {\n    help(id);\n  }',
  '}',
  '',
].join('\n');
const HELPER = 'export function help(id: string): string {\n  return id;\n}\n';

describe('the modules layout', () => {
  it('builds one module per source module: the workers share one instance of a module they both import', async () => {
    const app = project();
    const run = await generate(fixtureConfig(app.dir, { registryMode: 'modules' }));
    expect(run.diagnostics).toEqual([]);
    expect(run.notes).toBeUndefined();
    writeOutputs(run.outputs);
    const written = run.outputs.map((output) => path.relative(app.dir, output.path)).sort();
    expect(written).toEqual([
      'dist/registry.js',
      'dist/registry.modules/__sidepunch/validate-args.js',
      'dist/registry.modules/src/shared/counter.js',
      'dist/registry.modules/src/workers/first.js',
      'dist/registry.modules/src/workers/second.js',
      'src/sidepunch.generated.ts',
    ]);
    expect(app.read('dist/registry.js')).toContain("from './registry.modules/src/workers/first.js'");

    const registry = await load(app.dir);
    expect(Object.keys(registry.workers).sort()).toEqual(['First', 'Second']);
    expect(registry.validators!.First!(['id'])).toBeUndefined();
    expect(registry.validators!.First!([1])).toMatch(/args\[0\]/);
    // One counter module for both workers, as in the sources; the JSON is inlined into its importer.
    expect(perform(registry, 'First')).toMatchObject({ seen: 1, max: 3 });
    expect(perform(registry, 'Second')).toMatchObject({ seen: 2, max: 3 });
  });

  it("is --watch's default for an ES module registry, and an edit rebuilds only the edited module", async () => {
    const app = project();
    const config = resolveConfig({ project: app.path('tsconfig.json'), cache: false }, app.dir, {
      watch: true,
    });
    expect(config.registryMode).toBe('modules');
    watcher = watchAndGenerate(config, { cwd: app.dir, color: false, stdout: () => {}, stderr: () => {} });
    const first = await watcher.nextRun();
    expect(first.diagnostics).toEqual([]);
    expect(existsSync(app.path('dist/registry.modules/src/workers/second.js'))).toBe(true);

    const edited = watcher.nextRun();
    app.write('src/workers/first.ts', counting('First', 'this.seen = bump() * 100;'));
    const run = await edited;
    expect(run.diagnostics).toEqual([]);
    const modules = run.outputs
      .map((output) => path.relative(app.dir, output.path))
      .filter((file) => file.startsWith('dist/registry.modules/'));
    expect(modules).toEqual(['dist/registry.modules/src/workers/first.js']);
    expect(perform(await load(app.dir), 'First').seen).toBe(100);
  });

  it('sees each save that writes a new file and renames it over the old (vim, safe write)', async () => {
    const app = project();
    watcher = watchAndGenerate(fixtureConfig(app.dir, { registryMode: 'modules' }), {
      cwd: app.dir,
      color: false,
      stdout: () => {},
      stderr: () => {},
    });
    await watcher.nextRun();
    for (const factor of [10, 20, 30]) {
      const saved = watcher.nextRun();
      const temporary = app.path('src/workers/.first.ts.swp');
      writeFileSync(temporary, counting('First', `this.seen = bump() * ${factor};`));
      renameSync(temporary, app.path('src/workers/first.ts'));
      expect((await saved).diagnostics).toEqual([]);
      expect(app.read('dist/registry.modules/src/workers/first.js')).toContain(`* ${factor}`);
    }
  });

  it('deletes the built modules the registry no longer imports, and the directories left empty', async () => {
    const app = project();
    app.write('src/workers/old/third.ts', THIRD);
    app.write('src/legacy/helper.ts', HELPER);
    app.write('dist/notes.txt', 'not ours\n');
    expect((await runCli(app.dir, '--registry-mode', 'modules')).code).toBe(0);
    expect(modulesTree(app.dir)).toEqual([
      '__sidepunch',
      '__sidepunch/validate-args.js',
      'src',
      'src/legacy',
      'src/legacy/helper.js',
      'src/shared',
      'src/shared/counter.js',
      'src/workers',
      'src/workers/first.js',
      'src/workers/old',
      'src/workers/old/third.js',
      'src/workers/second.js',
    ]);

    // One worker removed (its helper stays in the sources, imported by nothing), one renamed.
    rmSync(app.path('src/workers/old/third.ts'));
    renameSync(app.path('src/workers/second.ts'), app.path('src/workers/renamed.ts'));
    const check = await runCli(app.dir, '--registry-mode', 'modules', '--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(
      path.join('dist', 'registry.modules', 'src', 'workers', 'old', 'third.js'),
    );
    const rerun = await runCli(app.dir, '--registry-mode', 'modules');
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/; removed 3 stale modules from dist\/registry\.modules\/ \(/);
    expect(modulesTree(app.dir)).toEqual([
      '__sidepunch',
      '__sidepunch/validate-args.js',
      'src',
      'src/shared',
      'src/shared/counter.js',
      'src/workers',
      'src/workers/first.js',
      'src/workers/renamed.js',
    ]);
    expect(app.read('dist/notes.txt')).toBe('not ours\n');
    const registry = await load(app.dir);
    expect(Object.keys(registry.workers).sort()).toEqual(['First', 'Second']);
    expect(perform(registry, 'First')).toMatchObject({ seen: 1, max: 3 });
    expect(perform(registry, 'Second')).toMatchObject({ seen: 2, max: 3 });
  });

  it('--watch deletes the module of a removed worker file', async () => {
    const app = project();
    app.write('src/workers/old/third.ts', THIRD);
    app.write('src/legacy/helper.ts', HELPER);
    watcher = watchAndGenerate(fixtureConfig(app.dir, { registryMode: 'modules' }), {
      cwd: app.dir,
      color: false,
      stdout: () => {},
      stderr: () => {},
    });
    expect((await watcher.nextRun()).diagnostics).toEqual([]);
    expect(modulesTree(app.dir)).toContain('src/workers/old/third.js');

    const removed = watcher.nextRun();
    rmSync(app.path('src/workers/old/third.ts'));
    expect((await removed).diagnostics).toEqual([]);
    expect(modulesTree(app.dir)).toEqual([
      '__sidepunch',
      '__sidepunch/validate-args.js',
      'src',
      'src/shared',
      'src/shared/counter.js',
      'src/workers',
      'src/workers/first.js',
      'src/workers/second.js',
    ]);

    // A module no longer imported, though its file stays: the worker stops using the helper.
    const restored = watcher.nextRun();
    app.write('src/workers/old/third.ts', THIRD);
    expect((await restored).diagnostics).toEqual([]);
    expect(modulesTree(app.dir)).toContain('src/legacy/helper.js');
    const edited = watcher.nextRun();
    app.write(
      'src/workers/old/third.ts',
      THIRD.replace(/^import \{ help \}.*\n/m, '').replace('help(id);', ''),
    );
    expect((await edited).diagnostics).toEqual([]);
    expect(modulesTree(app.dir)).not.toContain('src/legacy/helper.js');
    expect(modulesTree(app.dir)).not.toContain('src/legacy');
    expect(Object.keys((await load(app.dir)).workers).sort()).toEqual(['First', 'Second', 'Third']);
  });

  it('deletes the tree when the registry is written in another layout', async () => {
    const app = project();
    expect((await runCli(app.dir, '--registry-mode', 'modules')).code).toBe(0);
    expect(modulesTree(app.dir)).toContain('src/workers/first.js');
    const bundled = await runCli(app.dir, '--registry-mode', 'bundle');
    expect(bundled.code).toBe(0);
    expect(bundled.stdout).toMatch(/; removed dist\/registry\.modules\/ \(/);
    expect(existsSync(app.path('dist/registry.modules'))).toBe(false);
    expect(perform(await load(app.dir), 'First')).toMatchObject({ seen: 1, max: 3 });
  });

  it('bundles instead, saying why, when a module re-exports a type without `export type`', async () => {
    const app = project();
    app.write('src/shared/types.ts', 'export interface Range {\n  from: string;\n}\n');
    app.write(
      'src/shared/index.ts',
      "export { Range } from './types.js';\nexport { bump } from './counter.js';\n",
    );
    const run = await generate(fixtureConfig(app.dir, { registryMode: 'modules' }));
    expect(run.diagnostics).toEqual([]);
    expect(run.notes).toEqual([
      `the registry is bundled, not in the modules layout: ${path.join('src', 'shared', 'index.ts')}:1 re-exports the type 'Range' without \`export type\``,
    ]);
    expect(run.outputs.map((output) => path.relative(app.dir, output.path))).toEqual([
      'src/sidepunch.generated.ts',
      'dist/registry.js',
    ]);
  });

  it('bundles a CommonJS registry (the modules are ES modules), and --watch keeps the bundle there', async () => {
    const app = tempProject(
      {
        'src/shared/counter.ts': COUNTER,
        'src/workers/first.ts': counting('First')
          .replace(/^import limits.*\n/m, '')
          .replace('limits.max', '3'),
      },
      { type: 'commonjs' },
    );
    const config = resolveConfig({ project: app.path('tsconfig.json'), cache: false }, app.dir, {
      watch: true,
    });
    expect(config.registryMode).toBe('bundle');
    const run = await generate({ ...config, registryMode: 'modules' });
    expect(run.diagnostics).toEqual([]);
    expect(run.notes?.[0]).toMatch(
      /^the registry is bundled, not in the modules layout: the registry is read as CommonJS/,
    );
  });
});
