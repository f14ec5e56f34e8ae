/**
 * The proof of safe deploys (docs/deploys.md), in a fresh project with 'sidepunch' installed as a package: 1,000
 * jobs pushed by a worker's old version are in Redis when its `perform` changes incompatibly.
 *  - sidepunch-gen reports the change at the worker's perform line, and writes nothing;
 *  - with an upgrade step, the check reports the 1,000 to upgrade, and sidepunch-run performs all of them with
 *    upgraded arguments: none reaches the dead set;
 *  - without one and with the break accepted, the check lists exactly those 1,000 as rejected (exit 1) before
 *    any runtime starts, and changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { expect } from 'vitest';
import { REPO } from '../compiler/support/fixture-config.js';
import { runCli } from '../compiler/support/run-cli.js';
import { type TempProject, useTempProjects } from '../compiler/support/temp-project.js';
import { useRedis } from '../support/redis-fixture.js';
import { requireBuiltDist } from '../support/required-tool.js';
import { RUN_BIN, startRuntime } from '../support/runtime-process.js';

const dist = requireBuiltDist(['dist/compiler/cli.js', 'dist/runtime/cli/run.js', 'dist/runtime/index.d.ts']);
const fixture = useRedis();
const tempProject = useTempProjects();
const JOBS = 1000;

/** The worker, writing each run's arguments to $PERFORMED_FILE. */
function worker(params: string, upgrade = ''): string {
  return `import { appendFileSync } from 'node:fs';
import type { SidepunchWorker } from 'sidepunch';

export class SendWelcome implements SidepunchWorker {${upgrade}
  perform(${params}): void {
    appendFileSync(process.env.PERFORMED_FILE!, JSON.stringify([...arguments]) + '\\n');
  }
}
`;
}

const UPGRADE = `
  static sidepunchUpgrade(old: [email: string]): [email: string, locale: string] {
    return [old[0], 'en'];
  }
`;

function app(): TempProject {
  const project = tempProject({ 'src/workers/send-welcome.ts': worker('email: string') });
  const tsconfig = JSON.parse(project.read('tsconfig.json'));
  delete tsconfig.compilerOptions.paths;
  project.write('tsconfig.json', JSON.stringify(tsconfig));
  mkdirSync(project.path('node_modules'), { recursive: true });
  symlinkSync(REPO, project.path('node_modules/sidepunch'), 'dir');
  return project;
}

/** sidepunch-gen in this process: TypeScript and esbuild load once for the file's runs. */
async function gen(project: TempProject, ...args: string[]) {
  const run = await runCli(project.dir, '--no-cache', ...args);
  return { status: run.code, stdout: run.stdout, stderr: run.stderr };
}

function check(project: TempProject, ...args: string[]) {
  return spawnSync(
    process.execPath,
    [RUN_BIN, 'check', '--redis', fixture.server.url, ...args, project.path('dist/registry.js')],
    { cwd: project.dir, encoding: 'utf8' },
  );
}

/** 1,000 jobs as the old version's client pushed them: Sidekiq payloads with one argument. */
async function pushOldJobs(): Promise<string[]> {
  const jids = Array.from({ length: JOBS }, (_, i) => `old${String(i).padStart(6, '0')}`);
  const now = Date.now() / 1000;
  const payloads = jids.map((jid, i) =>
    JSON.stringify({
      class: 'SendWelcome',
      args: [`user${i}@example.com`],
      queue: 'default',
      jid,
      retry: true,
      created_at: now,
      enqueued_at: now,
    }),
  );
  await fixture.redis.sadd('queues', 'default');
  await fixture.redis.lpush('queue:default', ...payloads);
  return jids;
}

/** Changes perform incompatibly and expects sidepunch-gen to report it at the perform line. */
function changeSignature(project: TempProject, upgrade = ''): void {
  project.write('src/workers/send-welcome.ts', worker('email: string, locale: string', upgrade));
}

dist.describe('a changed perform signature against 1,000 jobs in flight', () => {
  dist.it(
    'is reported at the perform line; with an upgrade step all 1,000 run upgraded and none dies',
    async () => {
      const project = app();
      expect((await gen(project)).status).toBe(0);
      expect(
        JSON.parse(project.read('src/sidepunch.shapes.json')).workers.SendWelcome.generations,
      ).toHaveLength(1);
      await pushOldJobs();

      changeSignature(project);
      const refused = await gen(project);
      expect(refused.status).toBe(1);
      const line =
        project
          .read('src/workers/send-welcome.ts')
          .split('\n')
          .findIndex((text) => text.includes('perform(')) + 1;
      expect(refused.stderr).toMatch(
        new RegExp(
          `^src/workers/send-welcome\\.ts:${line}:3 - error SP5001: SendWelcome\\.perform changed so that jobs already queued would be rejected: required parameter 'locale' added\\.`,
          'm',
        ),
      );
      expect(refused.stderr).toContain('--accept-break SendWelcome');
      expect(
        JSON.parse(project.read('src/sidepunch.shapes.json')).workers.SendWelcome.generations,
      ).toHaveLength(1);

      changeSignature(project, UPGRADE);
      const accepted = await gen(project);
      expect(accepted.stderr).toBe('');
      expect(accepted.status).toBe(0);
      const record = JSON.parse(project.read('src/sidepunch.shapes.json'));
      expect(record.workers.SendWelcome.generations.map((g: { since?: string }) => g.since)).toEqual([
        undefined,
        'upgrade',
      ]);
      expect(project.read('src/sidepunch.generated.ts')).toContain(
        'export type SendWelcomeArgsV1 = [email: string];',
      );

      const before = check(project);
      expect(before.status).toBe(0);
      expect(before.stdout).toContain(`${JOBS} jobs read: 0 fit, ${JOBS} to upgrade, 0 rejected`);

      const performed = project.path('performed.jsonl');
      const runtime = startRuntime(fixture.server.url, ['-c', '20', project.path('dist/registry.js')], {
        PERFORMED_FILE: performed,
      });
      await expect
        .poll(() => (existsSync(performed) ? readFileSync(performed, 'utf8').split('\n').length - 1 : 0), {
          timeout: 10_000,
        })
        .toBe(JOBS);
      await runtime.stop();
      const runs = readFileSync(performed, 'utf8')
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text));
      expect(new Set(runs.map(([email]) => email)).size).toBe(JOBS);
      expect(runs.every(([, locale]) => locale === 'en')).toBe(true);
      expect(await fixture.redis.zcard('dead')).toBe(0);
      expect(await fixture.redis.zcard('retry')).toBe(0);
    },
    60_000,
  );

  dist.it(
    'with the break accepted and no upgrade step, the check lists exactly those 1,000 before a runtime starts',
    async () => {
      const project = app();
      expect((await gen(project)).status).toBe(0);
      const jids = await pushOldJobs();
      changeSignature(project);
      expect((await gen(project)).status).toBe(1);
      const accepted = await gen(project, '--accept-break', 'SendWelcome');
      expect(accepted.stderr).toBe('');
      expect(accepted.status).toBe(0);
      const generations = JSON.parse(project.read('src/sidepunch.shapes.json')).workers.SendWelcome
        .generations;
      expect(generations.at(-1)).toMatchObject({
        generation: 2,
        since: 'break',
        change: "required parameter 'locale' added",
      });

      const text = check(project);
      expect(text.status).toBe(1);
      expect(text.stdout).toContain(`${JOBS} jobs read: 0 fit, 0 to upgrade, ${JOBS} rejected`);
      expect(text.stdout).toContain(`REJECT  SendWelcome (generation 1): ${JOBS} jobs`);
      const json = check(project, '--json');
      expect(json.status).toBe(1);
      const report = JSON.parse(json.stdout);
      expect(report.groups).toHaveLength(1);
      expect(report.groups[0]).toMatchObject({
        className: 'SendWelcome',
        verdict: 'reject',
        generation: 1,
        count: JOBS,
        where: { 'queue:default': JOBS },
      });
      expect(report.groups[0].reason).toContain('args: expected 2 arguments, got 1');
      expect(report.groups[0].jids).toEqual(jids.slice(-5).reverse());
      expect(await fixture.redis.llen('queue:default')).toBe(JOBS);

      // A job of a worker the registry no longer has (removed or renamed) would fail as well.
      await fixture.redis.del('queue:default');
      await fixture.redis.lpush(
        'queue:default',
        JSON.stringify({ class: 'SendGoodbye', args: ['a@example.com'], queue: 'default', jid: 'gone1' }),
      );
      const removed = check(project);
      expect(removed.status).toBe(1);
      expect(removed.stdout).toContain(
        '1 job read: 0 fit, 0 to upgrade, 0 rejected, 1 of classes this registry lacks',
      );
      expect(removed.stdout).toContain('UNKNOWN SendGoodbye: 1 job');
      // On a Redis shared with another app or Ruby Sidekiq, their jobs are not this registry's to judge.
      expect(check(project, '--allow-unknown-classes').status).toBe(0);
    },
    60_000,
  );
});
