/**
 * Periodic entries end to end, in a fresh project with 'sidepunch' installed as a package (a symlink to this repo,
 * built): `periodic(…)` in src/periodic.ts → sidepunch-gen (first run: no stubs on disk yet) → sidepunch-run
 * dist/registry.js enqueues each tick and performs it, the worker seeing its tick in `this.periodic`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { REPO } from '../compiler/support/fixture-config.js';
import { useTempProjects } from '../compiler/support/temp-project.js';
import { useRedis } from '../support/redis-fixture.js';
import { requireBuiltDist } from '../support/required-tool.js';
import { startRuntime } from '../support/runtime-process.js';

const GEN_BIN = path.join(REPO, 'bin/sidepunch-gen.js');
const dist = requireBuiltDist(['dist/compiler/cli.js', 'dist/runtime/cli/run.js', 'dist/runtime/index.d.ts']);
const fixture = useRedis();
const tempProject = useTempProjects();

const WORKER = `import type { SidepunchWorker } from 'sidepunch';

export class Report implements SidepunchWorker {
  perform(region: string, days: number): void {
    console.log(\`report \${region} \${days} \${this.periodic?.name} \${this.periodic?.tick}\`);
  }
}
`;

const PERIODIC = `import { periodic } from 'sidepunch';
import { jobs } from './sidepunch.generated.js';

export default [periodic('every-second-report', '* * * * * *', jobs.Report, ['eu', 7], { tz: 'Europe/Paris' })];
`;

dist.it(
  'sidepunch-gen bundles the entries on a first run, and sidepunch-run enqueues and performs each tick',
  async () => {
    const app = tempProject({ 'src/workers/report.ts': WORKER, 'src/periodic.ts': PERIODIC });
    // 'sidepunch' as an installed package, not the tsconfig path the temp projects map by default.
    const tsconfig = JSON.parse(app.read('tsconfig.json'));
    delete tsconfig.compilerOptions.paths;
    app.write('tsconfig.json', JSON.stringify(tsconfig));
    mkdirSync(app.path('node_modules'), { recursive: true });
    symlinkSync(REPO, app.path('node_modules/sidepunch'), 'dir');

    const gen = spawnSync(process.execPath, [GEN_BIN, '--no-cache'], { cwd: app.dir, encoding: 'utf8' });
    expect(gen.stderr + gen.stdout).toMatch(/1 worker → src\/sidepunch\.generated\.ts, dist\/registry\.js/);
    expect(gen.status).toBe(0);

    const runtime = startRuntime(fixture.server.url, [app.path('dist/registry.js')]);
    try {
      await runtime.waitForLine(/periodic: 1 entries \(1 added, 0 changed, 0 removed\)/);
      const [first] = (await runtime.waitForLine(/report eu 7 every-second-report \d+/)).match(/\d{10}/)!;
      const next = await runtime.waitForLine(
        new RegExp(`report eu 7 every-second-report ${Number(first) + 1}`),
      );
      expect(next).toBeDefined();
      expect(await fixture.redis.hget('sidepunch:periodic:every-second-report', 'last_tick')).toMatch(
        /^\d{10}$/,
      );
    } finally {
      await runtime.stop();
    }
  },
);
