/**
 * What the registry file is made of, in process (test/package/project-setups.test.ts and workspaces.test.ts run
 * them for real): its module format follows the package.json Node reads it under; the compiled mode imports tsc's
 * output instead of bundling the sources; the bundle mode bundles a package that resolves outside node_modules (an
 * npm workspace) and leaves real npm packages external.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Registry } from '../../runtime/core/registry.js';
import { runCli } from './support/run-cli.js';
import { type TempProject, useTempProjects, workerSource } from './support/temp-project.js';

const project = useTempProjects();

const SEND = workerSource('SendEmail', 'to: string');

/** The temp project's tsconfig, emitting to dist/ from src/ (the compiled mode needs output). */
function emitTo(app: TempProject, compilerOptions: Record<string, unknown> = {}): void {
  const tsconfig = JSON.parse(app.read('tsconfig.json'));
  Object.assign(tsconfig.compilerOptions, { noEmit: false, rootDir: 'src', outDir: 'dist' }, compilerOptions);
  app.write('tsconfig.json', JSON.stringify(tsconfig));
}

describe('the registry format', () => {
  it('is CommonJS in a package without "type": "module", as Node reads a .js file there', async () => {
    const app = project({ 'src/workers/send.ts': SEND }, { type: undefined });
    const run = await runCli(app.dir, '--no-cache', '-v');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('registry dist/registry.js (bundle mode, CommonJS)');
    const registry = app.read('dist/registry.js');
    expect(registry).toContain('module.exports = __toCommonJS(');
    expect(registry).not.toMatch(/^export /m);
  });

  it('is ES modules under "type": "module", and for a .mjs registry anywhere', async () => {
    const esm = project({ 'src/workers/send.ts': SEND });
    expect((await runCli(esm.dir, '--no-cache')).code).toBe(0);
    expect(esm.read('dist/registry.js')).toMatch(/^export \{/m);
    const typeless = project({ 'src/workers/send.ts': SEND }, { type: undefined });
    expect((await runCli(typeless.dir, '--no-cache', '--registry', 'dist/registry.mjs')).code).toBe(0);
    expect(typeless.read('dist/registry.mjs')).toMatch(/^export \{/m);
  });

  it('a top-level await that CommonJS cannot hold says how to make the registry an ES module', async () => {
    const app = project({ 'src/workers/send.ts': `await Promise.resolve();\n${SEND}` }, { type: undefined });
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error SP3001: esbuild could not bundle the registry: Top-level await');
    expect(run.stderr).toContain('add "type": "module" to the package.json, or name the registry .mjs');
  });
});

describe('the compiled registry mode', () => {
  it('imports the files tsc writes, relative to the registry, and bundles only the validators', async () => {
    const app = project({
      'src/workers/send.ts': SEND,
      'src/server.ts': 'export default function configureServer(): void {}\n',
    });
    emitTo(app);
    const run = await runCli(
      app.dir,
      '--no-cache',
      '--registry-mode',
      'compiled',
      '--server',
      'src/server.ts',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const registry = app.read('dist/registry.js');
    expect(registry).toContain('import { SendEmail } from "./workers/send.js";');
    expect(registry).toContain('import configureServer from "./server.js";');
    expect(registry).toContain('function argsValidator(');
    expect(registry).not.toContain('class SendEmail');
  });

  it('is read from package.json, and a CommonJS registry requires the compiled CommonJS files', async () => {
    const app = project(
      { 'src/workers/send.ts': SEND },
      { type: undefined, sidepunch: { registryMode: 'compiled', registry: 'out/registry.js' } },
    );
    emitTo(app, { outDir: 'build', module: 'Node16', moduleResolution: 'Node16' });
    const run = await runCli(app.dir, '--no-cache');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(app.read('out/registry.js')).toContain('require("../build/workers/send.js")');
  });

  it('with a tsconfig that emits no JavaScript is SP3003, and nothing is written', async () => {
    const app = project({ 'src/workers/send.ts': SEND });
    const run = await runCli(app.dir, '--no-cache', '--registry-mode', 'compiled');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error SP3003: the compiled registry mode imports the JavaScript tsc writes for each worker, but tsconfig.json sets noEmit.',
    );
    expect(() => app.read('dist/registry.js')).toThrow();
  });

  it('without rootDir, where TypeScript 5 and 6 write the workers to different places, is SP3003', async () => {
    const app = project({ 'src/workers/send.ts': SEND });
    emitTo(app, { rootDir: undefined });
    const run = await runCli(app.dir, '--no-cache', '--registry-mode', 'compiled');
    expect(run.code).toBe(1);
    // TypeScript 5's place depends on every source file, here the runtime's worker.ts too (the paths mapping).
    expect(run.stderr).toMatch(
      /tsconfig\.json has no rootDir, and TypeScript 5 and 6 write send\.ts to different places \(dist\/src\/workers\/send\.js or dist\/\S+\/workers\/send\.js\)\. Set "rootDir" in its compilerOptions\./,
    );
  });

  it('takes only "bundle", "compiled" or "modules", from the flag or package.json', async () => {
    const flag = await runCli(project({}).dir, '--registry-mode', 'tsc');
    expect(flag).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sidepunch-gen: flag --registry-mode must be "bundle", "compiled" or "modules" (see --help)\n',
    });
    const app = project({}, { sidepunch: { registryMode: 'tsc' } });
    const field = await runCli(app.dir);
    expect(field.code).toBe(2);
    expect(field.stderr).toBe(
      `sidepunch-gen: ${app.path('package.json')}: "sidepunch.registryMode" must be "bundle", "compiled" or "modules"\n`,
    );
  });
});

describe('the bundle mode', () => {
  it('bundles a workspace package linked into node_modules, and leaves an installed package external', async () => {
    const app = project({
      'src/workers/send.ts': `import { greeting } from '@acme/shared';
import { installed } from 'installed-package';
import type { SidepunchWorker } from 'sidepunch';

export class SendEmail implements SidepunchWorker {
  perform(to: string): void {
    console.log(greeting(to), installed);
  }
}
`,
      'packages/shared/package.json': JSON.stringify({ name: '@acme/shared', exports: './src/index.ts' }),
      'packages/shared/src/index.ts': 'export const greeting = (to: string): string => "hello " + to;\n',
      'node_modules/installed-package/package.json': JSON.stringify({
        name: 'installed-package',
        main: 'index.js',
      }),
      'node_modules/installed-package/index.js': 'exports.installed = true;\n',
      'node_modules/installed-package/index.d.ts': 'export declare const installed: boolean;\n',
    });
    mkdirSync(app.path('node_modules/@acme'));
    symlinkSync(app.path('packages/shared'), app.path('node_modules/@acme/shared'), 'dir');
    const run = await runCli(app.dir, '--no-cache');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const registry = app.read('dist/registry.js');
    expect(registry).toMatch(/var greeting = .*\(to\) => "hello " \+ to/);
    expect(registry).not.toContain('@acme/shared');
    expect(registry).toContain('from "installed-package"');
  });
});

describe('names in the bundle', () => {
  it("keep the source's class names when two modules declare the same one (a job's error_class reads it)", async () => {
    const failing = (worker: string) =>
      [
        "import type { SidepunchWorker } from 'sidepunch';",
        'class RetryableError extends Error {}',
        `export class ${worker} implements SidepunchWorker {`,
        '  perform(): void {',
        "    throw new RetryableError('later');",
        '  }',
        '}',
        '',
      ].join('\n');
    const app = project({
      'src/workers/a.ts': failing('ChargeCard'),
      'src/workers/b.ts': failing('SendReceipt'),
    });
    expect((await runCli(app.dir, '--no-cache')).code).toBe(0);
    const registry: Registry = (await import(pathToFileURL(app.path('dist/registry.js')).href)).default;
    const thrownBy = (name: string) => {
      try {
        new (registry.workers[name] as new () => { perform(): void })().perform();
      } catch (error) {
        return (error as Error).constructor.name;
      }
    };
    expect([thrownBy('ChargeCard'), thrownBy('SendReceipt')]).toEqual(['RetryableError', 'RetryableError']);
  });
});
