/**
 * The sidepunch-gen command as a user runs it in a project of their own: flags, settings from package.json,
 * exit codes, all errors in one run with the previous files untouched, `--check`, and the real bin script.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuiltDist } from '../support/required-tool.js';
import { REPO } from './support/fixture-config.js';
import { runCli } from './support/run-cli.js';
import { useTempProjects, workerSource } from './support/temp-project.js';

const project = useTempProjects();

const SEND = workerSource('SendEmail', 'to: string, subject: string', "{ queue: 'mail' }");

describe('sidepunch-gen flags', () => {
  it('--help prints the usage and exits 0', async () => {
    const run = await runCli(REPO, '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: sidepunch-gen [options]');
    expect(run.stdout).toContain('--registry <file>');
  });

  it('-V and --version print the version and exit 0', async () => {
    for (const flag of ['-V', '--version']) {
      expect(await runCli(REPO, flag)).toEqual({
        code: 0,
        stdout: expect.stringMatching(/^sidepunch-gen \d+\.\d+\.\d+\n$/),
        stderr: '',
      });
    }
  });

  it.each([
    [['--bogus'], 'unknown flag --bogus'],
    [['-x'], 'unknown flag -x'],
    [['--out'], 'flag --out needs a value'],
    [['--out='], 'flag --out needs a value'],
    [['--project'], 'flag --project needs a value'],
    [['-p'], 'flag -p needs a value'],
    [['--project', '--check'], 'flag --project needs a value'],
    [['--check=yes'], 'flag --check takes no value'],
    [['src/x.ts'], 'unexpected argument src/x.ts'],
    [['--check', '--watch'], '--check and --watch cannot be combined'],
  ])('a bad command line %j prints one line and exits 2', async (argv, message) => {
    const run = await runCli(REPO, ...argv);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `sidepunch-gen: ${message} (see --help)\n` });
  });

  it('reads -p, --out=, --registry and --no-cache', async () => {
    const app = project({ 'src/workers/send.ts': SEND });
    const argv = ['-p', 'tsconfig.json', '--out=src/jobs.generated.ts', '--registry', 'build/registry.js'];
    const run = await runCli(app.dir, ...argv, '--no-cache');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(app.path('src/jobs.generated.ts'))).toBe(true);
    expect(existsSync(app.path('build/registry.js'))).toBe(true);
    expect(existsSync(app.path('node_modules/.cache/sidepunch-gen'))).toBe(false);
  });

  it('-v prints the settings, what was read and each file written', async () => {
    const app = project({ 'src/workers/send.ts': SEND });
    const first = await runCli(app.dir, '-v', '--no-cache');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const lines = first.stdout.split('\n');
    expect(lines[0]).toBe(
      'sidepunch-gen: project tsconfig.json, stubs src/sidepunch.generated.ts, registry dist/registry.js (bundle mode, ES module), server module none, cache off, record src/sidepunch.shapes.json',
    );
    expect(first.stdout).toMatch(/^sidepunch-gen: reading the project \(\d+\.\d\ds\)$/m);
    expect(first.stdout).toMatch(/^sidepunch-gen: read \d+ files and generated in memory \(/m);
    expect(first.stdout).toMatch(/^sidepunch-gen: wrote src\/sidepunch\.generated\.ts \(\d+ bytes\)$/m);
    expect(first.stdout).toMatch(/^sidepunch-gen: wrote dist\/registry\.js \(\d+ bytes\)$/m);

    const again = await runCli(app.dir, '--verbose', '--no-cache');
    expect(again.stdout).toMatch(/^sidepunch-gen: src\/sidepunch\.generated\.ts is up to date$/m);
    const quiet = await runCli(app.dir, '--no-cache');
    expect(quiet.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a missing tsconfig is one line and exit 2', async () => {
    const app = project({});
    const run = await runCli(app.dir, '--project', 'nope.json');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`sidepunch-gen: cannot find the tsconfig ${app.path('nope.json')}\n`);
  });

  it('a tsconfig that is not valid JSON is reported like tsc, at its place, exit 1, nothing written', async () => {
    const app = project({ 'src/workers/send.ts': SEND });
    app.write('tsconfig.json', '{ "compilerOptions": { "strict": true }, "include": ["src"\n');
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tsconfig\.json:2:1 - error TS1005: '\]' expected\./);
    expect(run.stderr).not.toContain('internal error');
    expect(existsSync(app.path('src/sidepunch.generated.ts'))).toBe(false);
  });

  it.each([
    [['--out', 'src/jobs.js'], '--out must name a TypeScript module (.ts, .mts or .cts), got src/jobs.js'],
    [
      ['--out', 'src/jobs.d.ts'],
      '--out must name a TypeScript module (.ts, .mts or .cts), got src/jobs.d.ts',
    ],
    [
      ['--registry', 'dist/registry.ts'],
      '--registry must name a JavaScript file (.js, .mjs or .cjs), got dist/registry.ts',
    ],
    [
      ['--registry', 'dist/registry'],
      '--registry must name a JavaScript file (.js, .mjs or .cjs), got dist/registry',
    ],
    [
      ['--out', 'src/x.mts', '--registry', 'src/x.mts'],
      '--registry must name a JavaScript file (.js, .mjs or .cjs), got src/x.mts',
    ],
  ])('an output path of the wrong kind %j is one line and exit 2, nothing written', async (argv, message) => {
    const app = project({ 'src/workers/send.ts': SEND });
    const run = await runCli(app.dir, '--no-cache', ...argv);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `sidepunch-gen: ${message}\n` });
    expect(existsSync(app.path(argv[1]!))).toBe(false);
  });

  it('never overwrites a file it did not write: --out naming a source file is one line and exit 2', async () => {
    const app = project({ 'src/workers/send.ts': SEND, 'src/jobs.ts': 'export const mine = 1;\n' });
    for (const out of ['src/jobs.ts', 'src/workers/send.ts']) {
      const before = app.read(out);
      const run = await runCli(app.dir, '--no-cache', '--out', out);
      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr:
          `sidepunch-gen: refusing to overwrite ${app.path(out)}, which sidepunch-gen did not write (its first ` +
          'line is not "// Generated by sidepunch-gen…"): choose another --out, or delete the file\n',
      });
      expect(app.read(out)).toBe(before);
      expect(existsSync(app.path('dist/registry.js'))).toBe(false);
    }
    app.write('src/empty.ts', '');
    expect((await runCli(app.dir, '--no-cache', '--out', 'src/empty.ts')).code).toBe(0);
    expect((await runCli(app.dir, '--no-cache', '--out', 'src/empty.ts')).code).toBe(0);
    expect(app.read('src/empty.ts')).toContain('SendEmail: workerStub');
  });

  it('-p takes a directory, as tsc does: its tsconfig.json, with the outputs beside it', async () => {
    const app = project({ 'packages/jobs/src/workers/send.ts': SEND });
    app.write('packages/jobs/tsconfig.json', app.read('tsconfig.json'));
    const run = await runCli(app.dir, '--no-cache', '-p', 'packages/jobs');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(app.path('packages/jobs/src/sidepunch.generated.ts'))).toBe(true);
    expect(existsSync(app.path('packages/jobs/dist/registry.js'))).toBe(true);
    const empty = await runCli(app.dir, '--no-cache', '-p', 'packages');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(
      `sidepunch-gen: cannot find the tsconfig ${app.path('packages/tsconfig.json')}\n`,
    );
  });
});

describe('sidepunch-gen without workers', () => {
  it('names the tsconfig it read when no class implements SidepunchWorker', async () => {
    const app = project({ 'src/index.ts': 'export const x = 1;\n' });
    const run = await runCli(app.dir, '--no-cache');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      /^sidepunch-gen: no worker \(no exported class implements SidepunchWorker in the files of tsconfig\.json\) → /,
    );
  });

  it('a solution-style tsconfig (references, no files) is one line naming the projects, exit 2, nothing written', async () => {
    const app = project({ 'packages/jobs/src/workers/send.ts': SEND });
    const jobs = JSON.parse(app.read('tsconfig.json'));
    jobs.compilerOptions.composite = true;
    app.write('packages/jobs/tsconfig.json', JSON.stringify(jobs));
    app.write('packages/jobs/package.json', app.read('package.json'));
    app.write('tsconfig.json', JSON.stringify({ files: [], references: [{ path: './packages/jobs' }] }));
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `sidepunch-gen: ${app.path('tsconfig.json')} lists no files of its own, only project references ` +
        `(./packages/jobs/tsconfig.json), so it has no workers. Run sidepunch-gen for the project that holds ` +
        `them: -p ./packages/jobs/tsconfig.json (paths from ${app.dir}), or set "project" in the "sidepunch" ` +
        'field of its package.json.\n',
    );
    expect(existsSync(app.path('src/sidepunch.generated.ts'))).toBe(false);
    expect(existsSync(app.path('dist/registry.js'))).toBe(false);
    const inner = await runCli(app.dir, '--no-cache', '-p', 'packages/jobs/tsconfig.json');
    expect(inner).toMatchObject({ code: 0, stderr: '' });
    expect(inner.stdout).toMatch(/^sidepunch-gen: 1 worker → /);
  });
});

describe('sidepunch-gen settings', () => {
  it('writes the stubs and registry at the defaults', async () => {
    const app = project({ 'src/workers/send.ts': SEND });
    const run = await runCli(app.dir, '--no-cache');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      /^sidepunch-gen: 1 worker → src\/sidepunch\.generated\.ts, dist\/registry\.js, src\/sidepunch\.shapes\.json \(/,
    );
    expect(app.read('src/sidepunch.generated.ts')).toContain(
      "SendEmail: workerStub<[to: string, subject: string], 'SendEmail'>('SendEmail', { queue: 'mail' }),",
    );
    expect(app.read('dist/registry.js')).toContain('workers: { SendEmail }');
  });

  it('takes defaults from the "sidepunch" field of package.json, and flags win over it', async () => {
    const app = project(
      { 'src/workers/send.ts': SEND },
      { sidepunch: { out: 'src/jobs.generated.ts', registry: 'build/workers.js', cache: false } },
    );
    expect((await runCli(app.dir)).code).toBe(0);
    expect(existsSync(app.path('src/jobs.generated.ts'))).toBe(true);
    expect(existsSync(app.path('build/workers.js'))).toBe(true);
    expect((await runCli(app.dir, '--out', 'src/other.generated.ts')).code).toBe(0);
    expect(existsSync(app.path('src/other.generated.ts'))).toBe(true);
  });

  it('a bad "sidepunch" field is one line and exit 2', async () => {
    const app = project({}, { sidepunch: { output: 'x.ts' } });
    const run = await runCli(app.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `sidepunch-gen: ${app.path('package.json')}: unknown "sidepunch.output" (known: project, out, registry, registryMode, cache, record, daemon, server)\n`,
    );
  });
});

describe('sidepunch-gen errors', () => {
  it('reports every error of the run like tsc, exits 1 and leaves the previous files untouched', async () => {
    const app = project({ 'src/workers/send.ts': SEND });
    expect((await runCli(app.dir, '--no-cache')).code).toBe(0);
    const stubs = app.read('src/sidepunch.generated.ts');
    const registry = app.read('dist/registry.js');
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, at: Date'));
    app.write('src/workers/sync.ts', workerSource('Sync', 'ids: Set<number>', "{ queue: '' }"));
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      "src/workers/send.ts:4:23 - error SP1004: Argument 'at' of SendEmail.perform is not JSON-serializable: at is Date. Pass an ISO string or epoch milliseconds instead.",
    );
    expect(run.stderr).toContain('src/workers/sync.ts:4:38 - error SP2007:');
    expect(run.stderr).toContain('src/workers/sync.ts:6:11 - error SP1005:');
    expect(run.stderr).toMatch(
      /Found 3 errors in 2 files\.\n\nErrors {2}Files\n {5}1 {2}src\/workers\/send\.ts:4\n {5}2 {2}src\/workers\/sync\.ts:4\n$/,
    );
    expect(app.read('src/sidepunch.generated.ts')).toBe(stubs);
    expect(app.read('dist/registry.js')).toBe(registry);
  });

  it('reports the other errors of two workers that share a name too, not only the clash', async () => {
    const app = project({
      'src/workers/send.ts': workerSource('SendEmail', 'to: string, at: Date'),
      'src/mail/send.ts': workerSource('SendEmail', 'ids: Set<number>'),
    });
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(1);
    const codes = run.stderr.split('\n').flatMap((line) => line.match(/ - error (SP\d+):/)?.[1] ?? []);
    expect(codes).toEqual(['SP2002', 'SP1005', 'SP2002', 'SP1004']);
  });

  it('a file that does not parse is reported with TypeScript’s own code', async () => {
    const app = project({ 'src/workers/broken.ts': 'export class Broken {\n  perform(id: string {}\n}\n' });
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("src/workers/broken.ts:2:22 - error TS1005: ',' expected.");
  });

  it('a worker esbuild cannot bundle is SP3001 at the import', async () => {
    const app = project({
      'src/workers/send.ts': `import { transport } from './missing.js';\n${SEND.replace('perform(to: string, subject: string): void {}', 'perform(to: string): void {\n    transport(to);\n  }')}`,
    });
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'src/workers/send.ts:1:27 - error SP3001: esbuild could not bundle the registry: Could not resolve "./missing.js"',
    );
    expect(existsSync(app.path('src/sidepunch.generated.ts'))).toBe(false);
  });
});

describe('sidepunch-gen --check', () => {
  it('exits 1 while the generated files are stale and 0 once they are current', async () => {
    const app = project({ 'src/workers/send.ts': SEND });
    const missing = await runCli(app.dir, '--check', '--no-cache');
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(
      'sidepunch-gen --check: src/sidepunch.generated.ts, dist/registry.js and src/sidepunch.shapes.json are out of date. Run sidepunch-gen.\n',
    );
    expect(existsSync(app.path('src/sidepunch.generated.ts'))).toBe(false);
    expect((await runCli(app.dir, '--no-cache')).code).toBe(0);
    expect((await runCli(app.dir, '--check', '--no-cache')).code).toBe(0);
    app.write('src/workers/send.ts', SEND.replace('subject: string', 'subject: string, cc?: string[]'));
    const stale = await runCli(app.dir, '--check', '--no-cache');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(
      'src/sidepunch.generated.ts, dist/registry.js and src/sidepunch.shapes.json are out of date',
    );
  });
});

describe('bin/sidepunch-gen.js', () => {
  const bin = path.join(REPO, 'bin/sidepunch-gen.js');
  const dist = requireBuiltDist(['dist/compiler/cli.js']);

  dist.it('runs the built CLI with its exit codes', () => {
    const app = project({ 'src/workers/send.ts': SEND });
    const ok = spawnSync(process.execPath, [bin], { cwd: app.dir, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('1 worker →');
    const usage = spawnSync(process.execPath, [bin, '--nope'], { cwd: app.dir, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: bigint'));
    const failed = spawnSync(process.execPath, [bin], { cwd: app.dir, encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('error SP1010');
  });

  dist.it('--watch with a tsconfig it cannot use is one line and exit 2, as without --watch', () => {
    const app = project({ 'src/workers/send.ts': SEND });
    const missing = spawnSync(process.execPath, [bin, '--watch', '-p', 'nope.json'], {
      cwd: app.dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(missing.stderr).toBe(`sidepunch-gen: cannot find the tsconfig ${app.path('nope.json')}\n`);
    expect(missing.status).toBe(2);
    app.write('tsconfig.json', JSON.stringify({ files: [], references: [{ path: './app' }] }));
    const solution = spawnSync(process.execPath, [bin, '--watch'], {
      cwd: app.dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(solution.stderr).toMatch(/^sidepunch-gen: .*tsconfig\.json lists no files of its own/);
    expect(solution.status).toBe(2);
  });
});
