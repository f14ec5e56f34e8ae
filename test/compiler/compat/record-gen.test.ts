/**
 * sidepunch-gen and the record of argument shapes (sidepunch.shapes.json): a compatible change follows silently,
 * an incompatible one is SP5001 at perform until an upgrade step or --accept-break, and what a cached run writes
 * is what a cold run writes.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { type TempProject, useTempProjects, workerSource } from '../support/temp-project.js';

const tempProject = useTempProjects();
const RECORD = 'src/sidepunch.shapes.json';
const WORKER = 'src/workers/send.ts';

async function generated(params: string): Promise<TempProject> {
  const app = tempProject({ [WORKER]: workerSource('SendWelcome', params) });
  const first = await runCli(app.dir);
  expect(first).toMatchObject({ code: 0, stderr: '' });
  return app;
}

function generations(
  app: TempProject,
): { generation: number; since?: string; change?: string; params: string[] }[] {
  return JSON.parse(app.read(RECORD)).workers.SendWelcome.generations;
}

describe('the record of argument shapes', () => {
  it('is written on the first run, sorted and laid out to diff well', async () => {
    const app = await generated("email: string, level: 'high' | 'low'");
    expect(app.read(RECORD)).toBe(`{
  "format": 1,
  "workers": {
    "SendWelcome": {
      "generations": [
        {
          "args": { "min": 2, "tuple": ["string", { "literal": ["high", "low"] }] },
          "generation": 1,
          "params": ["email", "level"],
          "shapes": {}
        }
      ]
    }
  }
}
`);
  });

  it('follows a compatible change without a word', async () => {
    const app = await generated('email: string');
    app.write(WORKER, workerSource('SendWelcome', 'email: string, locale?: string'));
    const run = await runCli(app.dir);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(generations(app)).toMatchObject([{ generation: 1, params: ['email', 'locale'] }]);
  });

  it('reports an incompatible change at perform and writes nothing; --accept-break adds a generation', async () => {
    const app = await generated('email: string');
    const before = app.read(RECORD);
    app.write(WORKER, workerSource('SendWelcome', 'email: string, locale: string'));
    const refused = await runCli(app.dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "src/workers/send.ts:4:3 - error SP5001: SendWelcome.perform changed so that jobs already queued would be rejected: required parameter 'locale' added. The jobs in flight have generation 1 of its arguments, [email: string].",
    );
    expect(app.read(RECORD)).toBe(before);

    const accepted = await runCli(app.dir, '--accept-break', 'SendWelcome');
    expect(accepted).toMatchObject({ code: 0, stderr: '' });
    expect(generations(app)).toMatchObject([
      { generation: 1, params: ['email'] },
      {
        generation: 2,
        since: 'break',
        change: "required parameter 'locale' added",
        params: ['email', 'locale'],
      },
    ]);
    expect(app.read('src/sidepunch.generated.ts')).toContain(
      'export type SendWelcomeArgsV1 = [email: string];',
    );
    expect(app.read('src/sidepunch.generated.ts')).toContain(
      'export type SendWelcomeOldArgs = SendWelcomeArgsV1;',
    );
    expect(app.read('dist/registry.js')).toContain('generations');
    // Nothing changed since: the next run is answered from the cache, and a cold run writes the same files.
    const files = ['src/sidepunch.generated.ts', RECORD, 'dist/registry.js'].map((file) => app.read(file));
    expect((await runCli(app.dir)).stdout).toMatch(/up to date \(cached/);
    expect((await runCli(app.dir, '--no-cache')).code).toBe(0);
    expect(['src/sidepunch.generated.ts', RECORD, 'dist/registry.js'].map((file) => app.read(file))).toEqual(
      files,
    );
  });

  it('takes an upgrade step as the way out, and checks that its parameter takes the old arguments', async () => {
    const app = await generated('email: string');
    const upgrade = (param: string) =>
      workerSource('SendWelcome', 'email: string, locale: string').replace(
        '  perform(',
        `  static sidepunchUpgrade(old: ${param}): [string, string] {\n    return [String(old[0]), 'en'];\n  }\n\n  perform(`,
      );
    app.write(WORKER, upgrade('[email: number]'));
    const wrong = await runCli(app.dir);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /src\/workers\/send\.ts:4:\d+ - error SP5002: SendWelcome\.sidepunchUpgrade takes arguments that the jobs in flight \(generation 1, \[email: string\]\) do not all fit: email: type narrowed from string to number\./,
    );
    app.write(WORKER, upgrade('[email: string]'));
    expect(await runCli(app.dir)).toMatchObject({ code: 0, stderr: '' });
    expect(generations(app).at(-1)).toMatchObject({ generation: 2, since: 'upgrade' });
  });

  it('refuses an upgrade step that returns a promise, or arguments perform does not take: every old job would be rejected', async () => {
    const app = await generated('email: string');
    const step = (signature: string, body: string) =>
      workerSource('SendWelcome', 'email: string, locale: string').replace(
        '  perform(',
        `  static ${signature} {\n    ${body}\n  }\n\n  perform(`,
      );
    app.write(
      WORKER,
      step(
        'async sidepunchUpgrade([email]: [email: string]): Promise<[string, string]>',
        "return [email, 'en'];",
      ),
    );
    const async = await runCli(app.dir);
    expect(async.code).toBe(1);
    expect(async.stderr).toMatch(
      /src\/workers\/send\.ts:4:\d+ - error SP5002: SendWelcome\.sidepunchUpgrade returns a promise \(Promise<\[string, string\]>\): the runtime runs the step before validating the job, without awaiting it/,
    );
    app.write(WORKER, step('sidepunchUpgrade([email]: [email: string]): [string]', 'return [email];'));
    const short = await runCli(app.dir);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain(
      "error SP5002: SendWelcome.sidepunchUpgrade returns [string], which SendWelcome.perform's arguments [email: string, locale: string] do not all take (parameter 'locale' made required)",
    );
    expect(generations(app)).toHaveLength(1);
  });

  it('a step left from the last change, at the next one, is told to move to sidepunchUpgrades (its parameter is checked first)', async () => {
    const app = await generated('email: string');
    const step =
      "  static sidepunchUpgrade([email]: [email: string]): [email: string, locale: string] {\n    return [email, 'en'];\n  }\n\n  perform(";
    app.write(
      WORKER,
      workerSource('SendWelcome', 'email: string, locale: string').replace('  perform(', step),
    );
    expect(await runCli(app.dir)).toMatchObject({ code: 0, stderr: '' });
    app.write(
      WORKER,
      workerSource('SendWelcome', 'to: { email: string; locale: string }').replace('  perform(', step),
    );
    const next = await runCli(app.dir);
    expect(next.code).toBe(1);
    expect(next.stderr).toContain(
      'error SP5002: SendWelcome.sidepunchUpgrade takes arguments that the jobs in flight (generation 2, [email: string, locale: string]) do not all fit',
    );
    expect(next.stderr).toContain(
      "an older step belongs in 'static sidepunchUpgrades = { <generation>: … }'",
    );
  });

  it('a reorder the old jobs still fit offers no upgrade step, and refuses one: the runtime could not tell old jobs from new', async () => {
    const app = await generated('from: string, to: string');
    const before = app.read(RECORD);
    app.write(WORKER, workerSource('SendWelcome', 'to: string, from: string'));
    const refused = await runCli(app.dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'error SP5001: SendWelcome.perform changed so that jobs already queued would run with their values in the wrong parameters: parameters reordered: (from, to) became (to, from). The jobs in flight have generation 1 of its arguments, [from: string, to: string], which the new arguments accept too, so the runtime cannot tell them from new jobs and no upgrade step can apply.',
    );
    expect(refused.stderr).not.toContain("add 'static sidepunchUpgrade");
    app.write(
      WORKER,
      workerSource('SendWelcome', 'to: string, from: string').replace(
        '  perform(',
        '  static sidepunchUpgrade([from, to]: [from: string, to: string]): [string, string] {\n    return [to, from];\n  }\n\n  perform(',
      ),
    );
    const step = await runCli(app.dir);
    expect(step.code).toBe(1);
    expect(step.stderr).toMatch(
      /src\/workers\/send\.ts:4:\d+ - error SP5002: SendWelcome\.sidepunchUpgrade would never run: the jobs in flight \(generation 1, \[from: string, to: string\]\) pass the new arguments' validator too/,
    );
    expect(app.read(RECORD)).toBe(before);
    app.write(WORKER, workerSource('SendWelcome', 'to: string, from: string'));
    expect((await runCli(app.dir, '--accept-break', 'SendWelcome')).code).toBe(0);
    expect(generations(app).at(-1)).toMatchObject({ generation: 2, since: 'break' });
  });

  it('a cached run after an edit writes the record a cold run writes', async () => {
    const app = tempProject({
      [WORKER]: workerSource('SendWelcome', 'email: string'),
      'src/workers/other.ts': workerSource('Other', 'n: number'),
    });
    expect((await runCli(app.dir)).code).toBe(0);
    app.write(WORKER, workerSource('SendWelcome', 'email: string, cc?: string[]'));
    const incremental = await runCli(app.dir, '-v');
    expect(incremental.stdout).toMatch(/analyzed 1 project file, reused the results of [1-9]/);
    const record = app.read(RECORD);
    expect((await runCli(app.dir, '--no-cache')).code).toBe(0);
    expect(app.read(RECORD)).toBe(record);
  });

  it('says so in one line when --accept-break names no worker, or the record is unreadable', async () => {
    const app = await generated('email: string');
    const unknown = await runCli(app.dir, '--accept-break', 'SendWelcom');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'error SP5004: --accept-break SendWelcom: no worker has this class name (workers: SendWelcome).',
    );
    app.write(RECORD, '{ "format": 1, ');
    const unreadable = await runCli(app.dir, '--no-cache');
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('src/sidepunch.shapes.json:1:1 - error SP5003:');
  });

  it('is neither read nor written with --no-record', async () => {
    const app = tempProject({ [WORKER]: workerSource('SendWelcome', 'email: string') });
    expect(await runCli(app.dir, '--no-record')).toMatchObject({ code: 0, stderr: '' });
    expect(() => app.read(RECORD)).toThrow();
  });
});

describe('the record changed, the sources not', () => {
  it('a cached run checks the worker against the record it finds, with the whole program', async () => {
    const app = tempProject({
      [WORKER]: workerSource('SendWelcome', 'email: string, locale: string').replace(
        '  perform(',
        "  static sidepunchUpgrade(old: [email: string]): [string, string] {\n    return [old[0], 'en'];\n  }\n\n  perform(",
      ),
      'src/workers/other.ts': workerSource('Other', 'n: number'),
    });
    expect(await runCli(app.dir)).toMatchObject({ code: 0, stderr: '' });
    const current = app.read(RECORD);
    // As if a branch with the worker's older record were checked out: generation 1 was (email).
    const older = JSON.parse(current);
    older.workers.SendWelcome.generations[0] = {
      ...older.workers.SendWelcome.generations[0],
      args: { min: 1, tuple: ['string'] },
      params: ['email'],
    };
    app.write(RECORD, JSON.stringify(older));
    const run = await runCli(app.dir);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(app.read(RECORD)).workers.SendWelcome.generations).toMatchObject([
      { generation: 1, params: ['email'] },
      { generation: 2, since: 'upgrade', params: ['email', 'locale'] },
    ]);
  });
});
