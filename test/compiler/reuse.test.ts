/**
 * Reuse between runs: after an edit, sidepunch-gen analyzes only the files the edit can affect and keeps the
 * recorded results of the others, and what it writes is byte for byte what a cold run (--no-cache) writes.
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { type TempProject, useTempProjects, workerSource } from './support/temp-project.js';

const tempProject = useTempProjects();

const DOMAIN = [
  'export interface Range {',
  '  from: string;',
  '  to: string;',
  '}',
  '',
  'export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };',
  '',
].join('\n');

function importing(names: string, name: string, params: string): string {
  return `import type { ${names} } from '../domain.js';\n${workerSource(name, params)}`;
}

/** Four workers: two import the domain file (one its recursive Json), two import nothing. */
async function generatedProject(): Promise<TempProject> {
  const app = tempProject({
    'src/domain.ts': DOMAIN,
    'src/workers/report.ts': importing('Range', 'Report', 'range: Range, limit: number'),
    'src/workers/store.ts': importing('Json', 'Store', 'payload: Json'),
    'src/workers/send.ts': workerSource('SendEmail', "to: string, kind: 'plain' | 'html'"),
    'src/workers/sync.ts': workerSource('Sync', 'ids: number[]'),
  });
  const first = await runCli(app.dir);
  expect(first.stdout).toContain('4 workers →');
  return app;
}

/** Runs sidepunch-gen with the cache; returns how many project files it analyzed. */
async function rerun(app: TempProject): Promise<number> {
  const run = await runCli(app.dir, '-v');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const analyzed = run.stdout.match(/analyzed (\d+) project files?/);
  expect(analyzed).not.toBeNull();
  return Number(analyzed![1]);
}

async function expectSameAsCold(app: TempProject): Promise<void> {
  const files = ['src/sidepunch.generated.ts', 'dist/registry.js', 'src/sidepunch.shapes.json'];
  const incremental = files.map((file) => app.read(file));
  const cold = await runCli(app.dir, '--no-cache');
  expect(cold.code).toBe(0);
  expect(files.map((file) => app.read(file))).toEqual(incremental);
}

/** A recursive interface `name` whose nodes carry one string field. */
function tree(name: string, field: string): string {
  return `export interface ${name} {\n  ${field}: string;\n  children: ${name}[];\n}\n`;
}

function treeWorker(worker: string, file: string, type: string): string {
  return `import type { ${type} } from '../${file}.js';\n${workerSource(worker, `tree: ${type}`)}`;
}

/** Workers Alpha and Beta, each taking a different recursive `Tree`: a cold run names them Tree and Tree2. */
async function twoTrees(): Promise<TempProject> {
  const app = tempProject({
    'src/alpha-tree.ts': tree('Tree', 'label'),
    'src/beta-tree.ts': tree('Tree', 'name'),
    'src/workers/alpha.ts': treeWorker('Alpha', 'alpha-tree', 'Tree'),
    'src/workers/beta.ts': treeWorker('Beta', 'beta-tree', 'Tree'),
  });
  expect((await runCli(app.dir)).code).toBe(0);
  return app;
}

/** Alpha's Tree becomes Node (the same shape: a compatible change), so Beta's is the only Tree left. */
function renameAlphaTree(app: TempProject): void {
  app.write('src/alpha-tree.ts', tree('Node', 'label'));
  app.write('src/workers/alpha.ts', treeWorker('Alpha', 'alpha-tree', 'Node'));
}

describe('sidepunch-gen after edits', () => {
  it("re-analyzes only an edited worker's file, and writes what a cold run writes", async () => {
    const app = await generatedProject();
    app.write('src/workers/sync.ts', workerSource('Sync', 'ids: number[], dryRun?: boolean'));
    expect(await rerun(app)).toBe(1);
    expect(app.read('src/sidepunch.generated.ts')).toContain(
      "Sync: workerStub<[ids: number[], dryRun?: boolean], 'Sync'>",
    );
    await expectSameAsCold(app);
  });

  it('still reuses results when the stubs were rewritten by someone else', async () => {
    const app = await generatedProject();
    app.write('src/sidepunch.generated.ts', '// restored from another branch\nexport const jobs = {};\n');
    app.write('src/workers/sync.ts', workerSource('Sync', 'ids: number[], dryRun?: boolean'));
    expect(await rerun(app)).toBe(1);
    await expectSameAsCold(app);
  });

  it('re-analyzes the workers that import an edited domain file, not the others', async () => {
    const app = await generatedProject();
    app.write('src/domain.ts', DOMAIN.replace('to: string;', 'to: string;\n  inclusive?: boolean;'));
    expect(await rerun(app)).toBe(3); // domain.ts, report.ts, store.ts
    expect(app.read('dist/registry.js')).toContain('inclusive');
    await expectSameAsCold(app);
  });

  it('keeps the named recursive shapes of reused workers beside re-analyzed ones', async () => {
    const app = await generatedProject();
    app.write('src/workers/more.ts', importing('Json', 'StoreMore', 'items: Json[]'));
    expect(await rerun(app)).toBe(1);
    await expectSameAsCold(app);
    app.write('src/workers/store.ts', importing('Json', 'Store', 'payload: Json, note?: string'));
    expect(await rerun(app)).toBe(1);
    await expectSameAsCold(app);
  });

  it('analyzes an added worker file alone, and drops the workers of a removed one', async () => {
    const app = await generatedProject();
    app.write('src/workers/audit.ts', workerSource('Audit', 'entry: { id: string; at: string }'));
    expect(await rerun(app)).toBe(1);
    expect(app.read('src/sidepunch.generated.ts')).toContain('Audit: workerStub');
    await expectSameAsCold(app);
    rmSync(app.path('src/workers/send.ts'));
    expect(await rerun(app)).toBe(0);
    expect(app.read('src/sidepunch.generated.ts')).not.toContain('SendEmail');
    await expectSameAsCold(app);
  });

  it('renames a worker', async () => {
    const app = await generatedProject();
    app.write('src/workers/send.ts', workerSource('SendMail', "to: string, kind: 'plain' | 'html'"));
    expect(await rerun(app)).toBe(1);
    const stubs = app.read('src/sidepunch.generated.ts');
    expect(stubs).toContain('SendMail: workerStub');
    expect(stubs).not.toContain('SendEmail');
    await expectSameAsCold(app);
  });

  it('reports an error introduced in one file, then recovers when it is fixed', async () => {
    const app = await generatedProject();
    app.write('src/workers/sync.ts', workerSource('Sync', 'ids: number[], at: Date'));
    const broken = await runCli(app.dir);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('error SP1004');
    expect((await runCli(app.dir)).stderr).toContain('error SP1004');
    app.write('src/workers/sync.ts', workerSource('Sync', 'ids: number[], at?: string'));
    expect(await rerun(app)).toBe(1);
    await expectSameAsCold(app);
  });

  it('reports a name that a changed file shares with a reused one exactly as a cold run does', async () => {
    const app = await generatedProject();
    app.write('src/workers/sync.ts', workerSource('SendEmail', 'ids: number[]'));
    const incremental = await runCli(app.dir);
    expect(incremental.code).toBe(1);
    expect(incremental.stderr).toContain('SendEmail');
    const cold = await runCli(app.dir, '--no-cache');
    expect(incremental.stderr).toBe(cold.stderr);
    app.write('src/workers/sync.ts', workerSource('Sync', 'ids: number[]'));
    expect((await runCli(app.dir)).code).toBe(0);
    await expectSameAsCold(app);
  });

  it('reports a shared name beside another error of the changed file exactly as a cold run does', async () => {
    const app = await generatedProject();
    const second = 'export class Late implements SidepunchWorker {\n  perform(at: Date): void {}\n}\n';
    app.write('src/workers/sync.ts', `${workerSource('SendEmail', 'ids: number[]')}\n${second}`);
    const incremental = await runCli(app.dir);
    expect(incremental.stderr).toContain('error SP1004');
    expect(incremental.stderr).toContain('error SP2002');
    expect(incremental.stderr).toBe((await runCli(app.dir, '--no-cache')).stderr);
  });

  it("writes a union's members in the same order whichever workers were analyzed before it", async () => {
    const app = await generatedProject();
    app.write('src/workers/reply.ts', workerSource('Reply', "kind: 'html' | 'plain'"));
    expect(await rerun(app)).toBe(1);
    await expectSameAsCold(app);
    app.write(
      'src/workers/send.ts',
      workerSource('SendEmail', "to: string, kind: 'plain' | 'html', cc?: string"),
    );
    expect(await rerun(app)).toBe(1);
    expect(app.read('dist/registry.js')).toContain('"html", "plain"');
    await expectSameAsCold(app);
  });

  it('names a recursive shape as a cold run does after the other shape of its name is gone', async () => {
    const app = await twoTrees();
    expect(app.read('dist/registry.js')).toContain('Tree2');
    renameAlphaTree(app);
    expect(await rerun(app)).toBe(2);
    expect(app.read('dist/registry.js')).not.toContain('Tree2');
    await expectSameAsCold(app);
    expect((await runCli(app.dir, '--check')).code).toBe(0);
  });

  it('names a shape one way when a re-analyzed worker and a reused one reach the same recursive type', async () => {
    const app = await twoTrees();
    renameAlphaTree(app);
    app.write('src/workers/gamma.ts', treeWorker('Gamma', 'beta-tree', 'Tree'));
    expect(await rerun(app)).toBe(3);
    expect(app.read('dist/registry.js')).not.toContain('Tree2');
    await expectSameAsCold(app);
  });

  it('treats a changed global file as a change to every file', async () => {
    const app = await generatedProject();
    app.write('src/globals.d.ts', 'declare global {\n  type Cents = number;\n}\nexport {};\n');
    const whole = (await runCli(app.dir, '--no-cache', '-v')).stdout.match(
      /analyzed (\d+) project files/,
    )![1];
    expect(await rerun(app)).toBe(Number(whole)); // a new declaration file: the whole project again
    app.write('src/workers/sync.ts', workerSource('Sync', 'ids: number[], total?: Cents'));
    expect(await rerun(app)).toBe(1);
    await expectSameAsCold(app);
  });
});
