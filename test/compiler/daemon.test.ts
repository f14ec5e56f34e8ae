/**
 * `sidepunch-gen --daemon`: the built command sends its run to a background daemon that keeps the project loaded;
 * what it writes, prints and exits with is what a run without it gives; a dead or outdated daemon is replaced,
 * one that cannot start is replaced by a run in process, and `--stop-daemon` or removing its socket stops it.
 * Every daemon started here is stopped after its test (and idles out after 30 s regardless).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonWanted } from '../../compiler/daemon-client.js';
import { daemonPlace, readMessages, send } from '../../compiler/daemon-protocol.js';
import { REPO } from './support/fixture-config.js';
import { type TempProject, useTempProjects, workerSource } from './support/temp-project.js';

const GEN_BIN = path.join(REPO, 'bin/sidepunch-gen.js');
const tempProject = useTempProjects();
const started: TempProject[] = [];

afterEach(async () => {
  for (const app of started.splice(0)) {
    const stop = gen(app, '--stop-daemon');
    const pid = Number(/\(pid (\d+)\)/.exec(stop.stdout)?.[1]);
    if (pid) await expect.poll(() => alive(pid)).toBe(false);
    rmSync(place(app).log, { force: true });
  }
});

function gen(app: TempProject, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, SIDEPUNCH_GEN_DAEMON_IDLE: '30' };
  delete env.CI;
  delete env.SIDEPUNCH_GEN_DAEMON;
  return spawnSync(process.execPath, [GEN_BIN, ...args], { cwd: app.dir, encoding: 'utf8', env });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function daemonApp(): TempProject {
  const app = tempProject({
    'src/types.ts': 'export interface Range {\n  from: string;\n  to: string;\n}\n',
    'src/workers/report.ts': `import type { Range } from '../types.js';\n${workerSource('Report', 'range: Range')}`,
    'src/workers/send.ts': workerSource('SendEmail', 'to: string'),
  });
  started.push(app);
  return app;
}

const place = (app: TempProject) => daemonPlace(app.path('tsconfig.json'));
const served = (app: TempProject) => readFileSync(place(app).log, 'utf8').match(/ ran \[/g)?.length ?? 0;
const outputs = (app: TempProject) => [app.read('src/sidepunch.generated.ts'), app.read('dist/registry.js')];

describe('sidepunch-gen --daemon', () => {
  it('is used on --daemon, SIDEPUNCH_GEN_DAEMON=1 or "daemon": true in package.json, never under CI', () => {
    expect(daemonWanted({}, {}, {})).toBe(false);
    expect(daemonWanted({ daemon: true }, {}, {})).toBe(true);
    expect(daemonWanted({}, {}, { SIDEPUNCH_GEN_DAEMON: '1' })).toBe(true);
    expect(daemonWanted({}, { daemon: true }, {})).toBe(true);
    expect(daemonWanted({}, { daemon: true }, { SIDEPUNCH_GEN_DAEMON: '0' })).toBe(false);
    expect(daemonWanted({ daemon: true }, { daemon: true }, { CI: 'true' })).toBe(false);
    expect(daemonWanted({ daemon: true }, {}, { CI: 'false' })).toBe(true);
  });

  it('regenerates after edits in the kept project, writing what a cold run writes', () => {
    const app = daemonApp();
    expect(gen(app).stdout).toContain('2 workers → src/sidepunch.generated.ts, dist/registry.js');
    // The daemon's first run loads the whole project and reuses the cached run's per-file results.
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, cc?: string[]'));
    const first = gen(app, '--daemon', '-v');
    expect(first.stdout).toMatch(/analyzed 1 project file, reused the results of \d+/);
    expect(first.stdout).toContain('2 workers → src/sidepunch.generated.ts, dist/registry.js');
    app.write(
      'src/workers/send.ts',
      workerSource('SendEmail', "to: string, cc?: string[], kind?: 'plain' | 'html'"),
    );
    app.write('src/types.ts', 'export interface Range {\n  from: string;\n  to?: string;\n}\n');
    app.write('src/workers/sync.ts', workerSource('Sync', 'id: number'));
    const edited = gen(app, '--daemon', '-v');
    expect(edited.status).toBe(0);
    expect(edited.stdout).toContain('analyzed 4 project files');
    expect(edited.stdout).toContain('3 workers → src/sidepunch.generated.ts, dist/registry.js');
    expect(served(app)).toBe(2);
    const fromDaemon = outputs(app);
    expect(fromDaemon[0]).toContain(
      "SendEmail: workerStub<[to: string, cc?: string[]] | [to: string, cc: string[], kind?: 'plain' | 'html'], 'SendEmail'>",
    );

    rmSync(app.path('src/sidepunch.generated.ts'));
    rmSync(app.path('dist/registry.js'));
    expect(gen(app, '--no-cache').status).toBe(0);
    expect(outputs(app)).toEqual(fromDaemon);
  });

  it("reloads when a package's package.json points its types elsewhere, writing what a cold run writes", () => {
    const app = tempProject({
      'node_modules/extpkg/package.json': JSON.stringify({ name: 'extpkg', types: 'index.d.ts' }),
      'node_modules/extpkg/index.d.ts': 'export interface Options {\n  id: string;\n}\n',
      'node_modules/extpkg/v2.d.ts': 'export interface Options {\n  id: string;\n  retries?: number;\n}\n',
      'src/workers/sync.ts': `import type { Options } from 'extpkg';\n${workerSource('Sync', 'options: Options')}`,
    });
    started.push(app);
    expect(gen(app, '--daemon').status).toBe(0);
    app.write('node_modules/extpkg/package.json', JSON.stringify({ name: 'extpkg', types: 'v2.d.ts' }));
    expect(gen(app, '--daemon').status).toBe(0);
    const fromDaemon = outputs(app);
    expect(fromDaemon[1]).toContain('retries');
    expect(gen(app, '--no-cache').status).toBe(0);
    expect(outputs(app)).toEqual(fromDaemon);
  });

  it('deletes the built module of a removed worker file in the modules layout', () => {
    const app = daemonApp();
    const modules = (file: string) => existsSync(app.path(`dist/registry.modules/src/workers/${file}`));
    expect(gen(app, '--daemon', '--registry-mode', 'modules').status).toBe(0);
    expect(modules('send.js')).toBe(true);
    rmSync(app.path('src/workers/send.ts'));
    const rerun = gen(app, '--daemon', '--registry-mode', 'modules');
    expect(rerun.stdout).toContain('1 worker → ');
    expect(rerun.stdout).toContain('; removed 1 stale module from dist/registry.modules/');
    expect([modules('report.js'), modules('send.js')]).toEqual([true, false]);
    expect(served(app)).toBe(2);
  });

  it('brings back diagnostics, --check and exit codes as a run in process does', () => {
    const app = daemonApp();
    expect(gen(app, '--daemon').status).toBe(0);
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, at?: Date'));
    const broken = gen(app, '--daemon');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`${path.join('src', 'workers', 'send.ts')}:4:23 - error SP1004`);
    expect(broken.stdout).toBe('');

    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, at?: string'));
    const stale = gen(app, '--daemon', '--check');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toBe(
      'sidepunch-gen --check: src/sidepunch.generated.ts, dist/registry.js and src/sidepunch.shapes.json are out of date. Run sidepunch-gen.\n',
    );
    expect(gen(app, '--daemon').status).toBe(0);
    expect(gen(app, '--daemon', '--check').status).toBe(0);
    expect(served(app)).toBe(5); // the last --check too: nothing changed, the daemon answered from the cache
    expect(gen(app, '--daemon', '--watch').status).toBe(2);
  });

  it('replaces a dead daemon, and one of another build', async () => {
    const app = daemonApp();
    gen(app, '--daemon');
    const pid = Number(/pid (\d+) serves/.exec(readFileSync(place(app).log, 'utf8'))?.[1]);
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => alive(pid)).toBe(false);
    expect(existsSync(place(app).socket)).toBe(true); // left behind

    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, cc?: string[]'));
    const replaced = gen(app, '--daemon');
    expect(replaced.stderr).toBe('');
    expect(replaced.stdout).toContain('2 workers →');
    expect(served(app)).toBe(1); // a new daemon's log
    gen(app, '--stop-daemon');

    // A daemon from another build: asked to stop, then replaced.
    let stopped = false;
    const old = createServer((socket) => {
      send(socket, { hello: '0.0.1 old', pid: 1 });
      readMessages(socket, (message: { stop?: true }) => {
        if (!message.stop) return;
        stopped = true;
        old.close();
        socket.end();
      });
    });
    await new Promise<void>((resolve) => old.listen(place(app).socket, resolve));
    // Edits here stay compatible with the record of arguments (sidepunch.shapes.json): no SP5001.
    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, cc?: string[], bcc?: string[]'));
    const upgraded = await runAsync(app, '--daemon');
    expect(stopped).toBe(true);
    expect(upgraded.stdout).toContain('2 workers →');
    expect(served(app)).toBe(1);
  });

  it('runs in process, saying so, when the daemon cannot start; never under CI', () => {
    const app = daemonApp();
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: app.path('no-such-dir') };
    delete env.CI;
    const fallback = spawnSync(process.execPath, [GEN_BIN, '--daemon'], {
      cwd: app.dir,
      encoding: 'utf8',
      env,
    });
    expect(fallback.status).toBe(0);
    expect(fallback.stderr).toMatch(
      /^sidepunch-gen: could not start the build daemon \(cannot write .*; running in process\n$/,
    );
    expect(fallback.stdout).toContain('2 workers →');

    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, cc?: string[]'));
    const ci = spawnSync(process.execPath, [GEN_BIN], {
      cwd: app.dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', SIDEPUNCH_GEN_DAEMON: '1' },
    });
    expect(ci.status).toBe(0);
    expect(ci.stdout).toContain('2 workers →');
    expect(existsSync(place(app).socket)).toBe(false);
  });

  it('stops on --stop-daemon, and when its socket file is removed', async () => {
    const app = daemonApp();
    writeFileSync(
      app.path('package.json'),
      JSON.stringify({ name: 'app', type: 'module', sidepunch: { daemon: true } }),
    );
    expect(gen(app).stdout).toContain('2 workers →');
    const stop = gen(app, '--stop-daemon');
    expect(stop.stdout).toMatch(/^sidepunch-gen: stopped the build daemon of tsconfig\.json \(pid \d+\)\n$/);
    const pid = Number(/\(pid (\d+)\)/.exec(stop.stdout)?.[1]);
    await expect.poll(() => alive(pid)).toBe(false);
    expect(existsSync(place(app).socket)).toBe(false);
    expect(gen(app, '--stop-daemon').stdout).toBe('sidepunch-gen: no build daemon runs for tsconfig.json\n');

    app.write('src/workers/send.ts', workerSource('SendEmail', 'to: string, cc?: string[]'));
    gen(app);
    const next = Number(/pid (\d+) serves/.exec(readFileSync(place(app).log, 'utf8'))?.[1]);
    expect(alive(next)).toBe(true);
    rmSync(place(app).socket);
    await expect.poll(() => alive(next)).toBe(false);
  });
});

/** The bin as an async child, so this process can serve a fake daemon meanwhile. */
async function runAsync(
  app: TempProject,
  ...args: string[]
): Promise<{ code: number | null; stdout: string }> {
  const { spawn } = await import('node:child_process');
  const env: NodeJS.ProcessEnv = { ...process.env, SIDEPUNCH_GEN_DAEMON_IDLE: '30' };
  delete env.CI;
  const child = spawn(process.execPath, [GEN_BIN, ...args], {
    cwd: app.dir,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout };
}
