/**
 * sidepunch-gen and periodic entries: it finds the modules that call `periodic(…)`, imports their default exports
 * into the registry, checks each cron expression (SP4001 at the bad field) and time zone, and type-checks the
 * entries' arguments against the stubs it is about to write.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../compiler/generate.js';
import { fixtureConfig, REPO } from './support/fixture-config.js';
import { runCli } from './support/run-cli.js';
import { type TempProject, useTempProjects, workerSource } from './support/temp-project.js';

const tempProject = useTempProjects();

function app(periodicSource: string, extra: Record<string, string> = {}): TempProject {
  const project = tempProject({
    'src/workers/report.ts': workerSource('Report', 'region: string, days: number'),
    'src/workers/ping.ts': workerSource('Ping', ''),
    'src/periodic.ts': periodicSource,
    ...extra,
  });
  // The whole public API, so the stubs and `periodic` type-check as in an app.
  const tsconfig = JSON.parse(project.read('tsconfig.json'));
  tsconfig.compilerOptions.paths = { sidepunch: [path.join(REPO, 'runtime/index.ts')] };
  project.write('tsconfig.json', JSON.stringify(tsconfig));
  return project;
}

const HEAD = "import { periodic } from 'sidepunch';\nimport { jobs } from './sidepunch.generated.js';\n\n";

async function errors(project: TempProject): Promise<string> {
  const run = await runCli(project.dir);
  expect(run.code).not.toBe(0);
  return run.stdout + run.stderr;
}

describe('sidepunch-gen with periodic entries', () => {
  it('imports the entries of the module that declares them into the registry', async () => {
    const project = app(
      `${HEAD}export default [\n` +
        "  periodic('weekly-report', '0 9 * * MON', jobs.Report, ['eu', 7], { tz: 'Europe/Paris' }),\n" +
        "  periodic('ping', '*/10 * * * * *', jobs.Ping, []),\n" +
        '];\n',
    );
    const result = await generate(fixtureConfig(project.dir), { skipBundle: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.registryEntry).toContain("import periodic0 from './src/periodic.ts';");
    expect(result.registryEntry).toContain('  periodic: [periodic0].flat(),');
  });

  it('bundles on a first run, before the stubs the entries import exist on disk', async () => {
    const project = app(`${HEAD}export default [periodic('ping', '@hourly', jobs.Ping, [])];\n`);
    const run = await runCli(project.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const registry = project.read('dist/registry.js');
    expect(registry).toContain('// src/sidepunch.generated.ts');
    expect(registry).toContain('Ping: workerStub("Ping")');
    expect(registry).toContain('periodic("ping", "@hourly", jobs.Ping, [])');
  });

  it('a project without periodic entries gets a registry without the field', async () => {
    const project = app('export const nothing = 1;\n');
    const result = await generate(fixtureConfig(project.dir), { skipBundle: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.registryEntry).not.toContain('periodic');
  });

  it('a module that declares no entry any more still declares the (empty) set, so a deploy removes them', async () => {
    const project = app(
      "import type { PeriodicEntry } from 'sidepunch';\n\nexport default [] satisfies PeriodicEntry[];\n",
    );
    const result = await generate(fixtureConfig(project.dir), { skipBundle: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.registryEntry).toContain('  periodic: [periodic0].flat(),');
  });

  it('a bad cron field is SP4001 at that field', async () => {
    const project = app(
      `${HEAD}export default [periodic('report', '0 25 * * *', jobs.Report, ['eu', 7]), periodic('step', '5/15 * * * *', jobs.Ping, [])];\n`,
    );
    const output = await errors(project);
    // Column of "25": after `export default [periodic('report', '0 `.
    const column = "export default [periodic('report', '0 ".length + 1;
    expect(output).toContain(
      `src/periodic.ts:4:${column} - error SP4001: Invalid cron expression '0 25 * * *': bad hour field "25"`,
    );
    expect(output).toMatch(/~~\n/);
    // croner's own sentence ends with a period: the diagnostic has one, not two.
    expect(output).toMatch(/bad minute field "5\/15": .* instead\.\n/);
  });

  it('wrong arguments for the stub are TypeScript errors at the entry', async () => {
    const project = app(
      `${HEAD}export default [periodic('report', '@daily', jobs.Report, ['eu', 'seven'])];\n`,
    );
    const output = await errors(project);
    expect(output).toMatch(
      /src\/periodic\.ts:4:\d+ - error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  });

  it('unknown time zones, duplicate names, non-literal expressions and a missing default export are reported', async () => {
    const project = app(
      `${HEAD}const every = '@hourly';\n` +
        'export const entries = [\n' +
        "  periodic('a', '@daily', jobs.Ping, [], { tz: 'Mars/Olympus' }),\n" +
        "  periodic('a', every, jobs.Ping, []),\n" +
        '];\n',
    );
    const output = await errors(project);
    expect(output).toContain('error SP4002: Unknown time zone "Mars/Olympus"');
    expect(output).toContain("error SP4003: Two periodic entries are named 'a'");
    expect(output).toContain('error SP4004: A cron expression must be a string literal');
    expect(output).toContain('error SP4005: This module declares periodic entries but has no default export');
  });

  it('an empty name, which sidepunch-run would refuse at start, is SP4004 at build time', async () => {
    const project = app(`${HEAD}export default [periodic('', '@daily', jobs.Ping, [])];\n`);
    const output = await errors(project);
    expect(output).toMatch(
      /src\/periodic\.ts:4:26 - error SP4004: A periodic entry's name must be a non-empty string literal/,
    );
  });

  it('an empty queue, which sidepunch-run would refuse at start, is SP4006 at build time', async () => {
    const project = app(
      `${HEAD}export default [periodic('daily', '@daily', jobs.Ping, [], { queue: '' })];\n`,
    );
    expect(await errors(project)).toMatch(
      /src\/periodic\.ts:4:69 - error SP4006: A periodic entry's queue must be a non-empty string/,
    );
  });

  it('a rerun after editing a worker keeps the periodic entries, checks them again, and writes what a cold run writes', async () => {
    const project = app(
      `${HEAD}export default [periodic('weekly', '0 9 * * MON', jobs.Report, ['eu', 7])];\n`,
    );
    expect((await runCli(project.dir)).code).toBe(0);
    project.write('src/workers/ping.ts', workerSource('Ping', 'loud?: boolean'));
    const rerun = await runCli(project.dir, '-v');
    expect(rerun.stderr).toBe('');
    expect(rerun.stdout).toMatch(/analyzed 1 project file/);
    const files = ['src/sidepunch.generated.ts', 'dist/registry.js'];
    const incremental = files.map((file) => project.read(file));
    expect(incremental[1]).toContain('periodic("weekly", "0 9 * * MON", jobs.Report, ["eu", 7])');
    expect((await runCli(project.dir, '--no-cache')).code).toBe(0);
    expect(files.map((file) => project.read(file))).toEqual(incremental);

    // The entry's stub changes in an edit of its worker alone: the rerun checks the entry against it.
    project.write('src/workers/report.ts', workerSource('Report', 'region: string, days: string'));
    const output = await errors(project);
    expect(output).toMatch(/src\/periodic\.ts:\d+:\d+ - error TS2322/);
  });
});
