/**
 * The package as a user gets it: packed to a tarball, installed in a fresh project, its bin run through npx.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { installPackage, removeProject } from '../support/installed-package.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

/** `from 'x'` (the ES modules) and `require("x")` (the CommonJS build), for a package and for a relative path. */
const PACKAGE_SPECIFIER = /\b(?:from\s+'|require\(")([^'".][^'"]*)['"]/g;
const RELATIVE_SPECIFIER = /\b(?:(?:from|import)\s*\(?\s*'|require\(")(\.[^'"]*)['"]/g;

/** Without require(esm): only sidepunch's CommonJS build can answer a require. */
const NO_REQUIRE_ESM = process.allowedNodeEnvironmentFlags.has('--experimental-require-module')
  ? ['--no-experimental-require-module']
  : [];

let server: RedisServer;
let redis: Redis;
let project: string;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
  project = installPackage();
}, 180_000);
afterAll(async () => {
  await destroyRedisServer(server);
  removeProject(project);
});

describe('the installed package', () => {
  it('ships compiled code as ES modules and CommonJS, type declarations, the Lua scripts, the license and the docs, and no sources or tests', () => {
    const installed = path.join(project, 'node_modules/sidepunch');
    const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(pkg.exports['.']).toEqual({
      import: { types: './dist/runtime/index.d.ts', default: './dist/runtime/index.js' },
      require: { types: './dist/cjs/runtime/index.d.ts', default: './dist/cjs/runtime/index.js' },
    });
    expect(JSON.parse(readFileSync(path.join(installed, 'dist/cjs/package.json'), 'utf8'))).toEqual({
      type: 'commonjs',
    });
    for (const scripts of ['dist/runtime/redis/scripts', 'dist/cjs/runtime/redis/scripts']) {
      expect(readdirSync(path.join(installed, scripts)).sort()).toEqual(
        readdirSync(path.join(REPO_ROOT, 'runtime/redis/scripts')).sort(),
      );
    }
    expect(readdirSync(installed).sort()).toEqual([
      'LICENSE',
      'README.md',
      'bin',
      'dist',
      'docs',
      'package.json',
    ]);
  });

  it('runs sidepunch-run through npx and performs a job enqueued with import { push } from "sidepunch"', async () => {
    writeFileSync(
      path.join(project, 'registry.mjs'),
      `import { defineRegistry } from 'sidepunch';
import { Redis } from 'ioredis';
const redis = new Redis(process.env.REDIS_URL);
class Greet {
  async perform(name, times) { await redis.rpush('greetings', \`\${this.jid}:\${name}:\${times}\`); }
}
export default defineRegistry({ workers: { Greet } });
`,
    );
    writeFileSync(
      path.join(project, 'enqueue.mjs'),
      `import { push, close } from 'sidepunch';
const jid = await push({ class: 'Greet', args: ['Zoë', 2] });
await close();
console.log(jid);
`,
    );
    const env = { ...process.env, REDIS_URL: server.url };
    expect(
      spawnSync('npx', ['sidepunch-run', '--version'], { cwd: project, encoding: 'utf8' }).stdout,
    ).toMatch(/^sidepunch-run \d/);
    const gen = spawnSync('npx', ['sidepunch-gen', '--help'], { cwd: project, encoding: 'utf8' });
    expect(gen.status).toBe(0);
    expect(gen.stdout).toMatch(/^Usage: sidepunch-gen/);
    const jid = execFileSync('node', ['enqueue.mjs'], { cwd: project, env, encoding: 'utf8' }).trim();
    const runtime = spawn('npx', ['sidepunch-run', '-c', '2', 'registry.mjs'], {
      cwd: project,
      env,
      stdio: 'pipe',
    });
    try {
      await waitUntil('the greeting', async () => (await redis.llen('greetings')) === 1);
      expect(await redis.lrange('greetings', 0, -1)).toEqual([`${jid}:Zoë:2`]);
    } finally {
      const exited = new Promise((resolve) => runtime.once('exit', resolve));
      runtime.kill('SIGTERM');
      await exited;
    }
  });

  it('a script that only enqueues through a stub exits by itself; sidepunch-run without -q works its queue', async () => {
    await redis.flushall();
    writeFileSync(
      path.join(project, 'mail-registry.mjs'),
      `import { defineRegistry } from 'sidepunch';
import { Redis } from 'ioredis';
const redis = new Redis(process.env.REDIS_URL);
class SendEmail {
  static sidepunchOptions = { queue: 'mail' };
  async perform(to) { await redis.rpush('sent', \`\${this.jid}:\${to}\`); }
}
export default defineRegistry({ workers: { SendEmail } });
`,
    );
    // As sidepunch-gen's stubs do, and nothing else: no close().
    writeFileSync(
      path.join(project, 'enqueue-mail.mjs'),
      `import { workerStub } from 'sidepunch';
const jobs = { SendEmail: workerStub('SendEmail', { queue: 'mail' }) };
console.log(await jobs.SendEmail.performAsync('ada@example.com'));
`,
    );
    const env = { ...process.env, REDIS_URL: server.url };
    // A script that never exits fails here (ETIMEDOUT) instead of holding the test.
    const jid = execFileSync('node', ['enqueue-mail.mjs'], {
      cwd: project,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    }).trim();
    expect(await redis.llen('queue:mail')).toBe(1);
    const runtime = spawn('npx', ['sidepunch-run', 'mail-registry.mjs'], {
      cwd: project,
      env,
      stdio: 'pipe',
    });
    let output = '';
    runtime.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    try {
      await waitUntil('the mail sent', async () => (await redis.llen('sent')) === 1);
      expect(await redis.lrange('sent', 0, -1)).toEqual([`${jid}:ada@example.com`]);
      expect(output).toMatch(/INFO: queues: default, mail \(from the registry; -q to choose\)/);
    } finally {
      const exited = new Promise((resolve) => runtime.once('exit', resolve));
      runtime.kill('SIGTERM');
      await exited;
    }
  });

  it('serves the dashboard through npx sidepunch-web', async () => {
    await redis.lpush('queue:installed', JSON.stringify({ class: 'Greet', args: [1], jid: 'a'.repeat(24) }));
    await redis.sadd('queues', 'installed');
    const web = spawn('npx', ['sidepunch-web', '--port', '0'], {
      cwd: project,
      env: { ...process.env, REDIS_URL: server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      web.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      await waitUntil('the dashboard URL', () => /dashboard at http:\/\/[\d.:]+/.test(output), 30_000);
      const url = /dashboard at (http:\/\/[\d.:]+)/.exec(output)![1]!;
      const queue = await (await fetch(`${url}/queues/installed`)).text();
      expect(queue).toContain('Greet');
      expect((await fetch(`${url}/assets/app.js`)).status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => web.once('exit', resolve));
      web.kill('SIGTERM');
      await exited;
    }
  });

  it('loads the runtime API without ts-morph, typescript or esbuild', () => {
    // ESM imports are static, and so are the CommonJS build's requires: read the specifiers of every runtime file.
    // Its only packages: ioredis, and croner (periodic jobs' cron).
    const installed = path.join(project, 'node_modules/sidepunch');
    const specifiers = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.js')) {
          for (const match of readFileSync(file, 'utf8').matchAll(PACKAGE_SPECIFIER))
            specifiers.add(match[1]!);
        }
      }
    };
    walk(path.join(installed, 'dist/runtime'));
    walk(path.join(installed, 'dist/cjs/runtime'));
    expect([...specifiers].filter((specifier) => !specifier.startsWith('node:')).sort()).toEqual([
      'croner',
      'ioredis',
    ]);
    const imported = execFileSync(
      'node',
      [
        '--input-type=module',
        '-e',
        "const sp = await import('sidepunch'); const embed = await import('sidepunch/embed'); console.log(typeof sp.push, typeof embed.embedRuntime)",
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(imported.trim()).toBe('function function');
    const required = execFileSync(
      'node',
      [
        ...NO_REQUIRE_ESM,
        '-e',
        "const sp = require('sidepunch'); const embed = require('sidepunch/embed'); console.log(typeof sp.push, typeof embed.embedRuntime)",
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(required.trim()).toBe('function function');
  });

  it('an app that only enqueues, through the stubs or sidepunch/testing, loads no worker-runtime code', () => {
    // The generated stubs import only 'sidepunch' (test/compiler/stubs-typecheck.test.ts); ESM imports are
    // static, so everything an enqueueing app can load is what the two entries reach through relative imports.
    const installed = path.join(project, 'node_modules/sidepunch');
    const serverDir = path.join(installed, 'dist/runtime/server');
    expect(readdirSync(serverDir)).toContain('launcher.js');
    const cjsServerDir = path.join(installed, 'dist/cjs/runtime/server');
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_SPECIFIER))
        visit(path.join(path.dirname(file), match[1]!));
    };
    visit(path.join(installed, 'dist/runtime/index.js'));
    visit(path.join(installed, 'dist/runtime/testing/sidepunch-testing.js'));
    visit(path.join(installed, 'dist/cjs/runtime/index.js'));
    visit(path.join(installed, 'dist/cjs/runtime/testing/sidepunch-testing.js'));
    expect(reached.size).toBeGreaterThan(40);
    expect(
      [...reached].filter((file) => [serverDir, cjsServerDir].some((dir) => file.startsWith(dir + path.sep))),
    ).toEqual([]);
  });

  it('an app bundled with sidepunch inside (esbuild, ES module and CommonJS) pushes unique jobs and uses the data API', async () => {
    await redis.flushall();
    writeFileSync(
      path.join(project, 'bundled-app.mjs'),
      `import { push, close, SidepunchApi } from 'sidepunch';
async function main() {
  const unique = await push({ class: 'Report', args: [process.argv[2]], unique: { for: 60 } });
  await push({ class: 'Report', args: [2], in: 600 });
  const api = new SidepunchApi({ redis: process.env.REDIS_URL });
  const moved = await api.scheduled.addAllToQueue();
  await api.close();
  await close();
  console.log(typeof unique, moved);
}
void main();
`,
    );
    const env = { ...process.env, REDIS_URL: server.url };
    for (const format of ['esm', 'cjs'] as const) {
      // Only ioredis stays outside, as an app's bundle might keep a package with native or optional parts.
      const outfile = path.join(project, `bundle-${format}/app.${format === 'esm' ? 'mjs' : 'cjs'}`);
      await build({
        entryPoints: [path.join(project, 'bundled-app.mjs')],
        absWorkingDir: project,
        bundle: true,
        platform: 'node',
        format,
        external: ['ioredis'],
        outfile,
        logLevel: 'silent',
      });
      const output = execFileSync('node', [outfile, format], {
        cwd: project,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(output.trim(), format).toBe('string 1');
    }
    expect(await redis.llen('queue:default')).toBe(4);
  });

  it('exports the testing modes as sidepunch/testing: a stub push in fake mode is recorded, no Redis', () => {
    const script = `import { workerStub } from 'sidepunch';
import { fake, worker } from 'sidepunch/testing';
fake();
const stub = workerStub('Greet');
await stub.performAsync('Zoë', 2);
console.log(JSON.stringify(worker(stub).jobs[0].args));`;
    const output = execFileSync('node', ['--input-type=module', '-e', script], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1/0' },
    });
    expect(output.trim()).toBe('["Zoë",2]');
  });
});
