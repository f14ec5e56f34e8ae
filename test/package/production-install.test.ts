/**
 * An app's production install, as docs/deploying.md ("Production install") describes it: sidepunch in
 * dependencies, sidepunch-gen's ts-morph and esbuild in devDependencies. The full install builds (sidepunch-gen,
 * then esbuild); `npm ci --omit=dev` then holds sidepunch, croner and ioredis's tree and nothing else, and still enqueues,
 * performs the job with sidepunch-run and serves sidepunch-web, while sidepunch-gen and sidepunch/esbuild there
 * fail with one line naming the npm command and write nothing. Its node_modules is weighed against the same app's
 * on BullMQ, installed in the same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DEPENDENCIES } from '../../compiler/build-dependencies.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import {
  installForProduction,
  installPackage,
  installProject,
  removeProject,
} from '../support/installed-package.js';
import { REPO_ROOT, startProcess, waitUntil } from '../support/runtime-process.js';

const manifest = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8'));
/** The versions this repo builds and tests with, which the app keeps in its devDependencies. */
const BUILD_TOOLS = {
  'ts-morph': manifest.devDependencies['ts-morph'] as string,
  esbuild: manifest.devDependencies.esbuild as string,
};
const BULLMQ = manifest.devDependencies.bullmq as string;
const INSTALL_COMMAND = `npm install --save-dev ${Object.entries(BUILD_DEPENDENCIES)
  .map(([name, range]) => `${name}@${range}`)
  .join(' ')}`;

const APP_FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
    include: ['src'],
  }),
  'src/workers/greet.ts': `import { appendFileSync } from 'node:fs';
import type { SidepunchWorker } from 'sidepunch';

export class Greet implements SidepunchWorker {
  jid?: string;

  async perform(name: string, times: number): Promise<void> {
    appendFileSync('greetings.txt', \`\${this.jid}:\${name}:\${times}\\n\`);
  }
}
`,
  'src/enqueue.ts': `import { close } from 'sidepunch';
import { jobs } from './sidepunch.generated.js';

console.log(await jobs.Greet.performAsync('Zoë', 2));
await close();
`,
};

let server: RedisServer;
let app: string;
let bullmqApp: string | undefined;
let buildOutput: string;
/** node_modules before `npm ci --omit=dev`, with the build tools. */
let fullInstall: { packages: string[]; bytes: number };

beforeAll(async () => {
  server = await startRedisServer();
  app = installPackage(
    {
      build:
        'sidepunch-gen && esbuild src/enqueue.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/enqueue.js --log-level=warning',
    },
    { devDependencies: BUILD_TOOLS },
  );
  for (const [file, text] of Object.entries(APP_FILES)) {
    mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
    writeFileSync(path.join(app, file), text);
  }
  buildOutput = execFileSync('npm', ['run', '--silent', 'build'], { cwd: app, encoding: 'utf8' });
  const nodeModules = path.join(app, 'node_modules');
  fullInstall = { packages: installedPackages(nodeModules), bytes: fileBytes(nodeModules) };
  installForProduction(app);
}, 300_000);
afterAll(async () => {
  await destroyRedisServer(server);
  removeProject(app);
  removeProject(bullmqApp);
});

describe("an app's production install (npm ci --omit=dev, ts-morph and esbuild in devDependencies)", () => {
  it('the full install builds: sidepunch-gen writes the stubs and the registry, esbuild bundles the app', () => {
    expect(fullInstall.packages).toEqual(expect.arrayContaining(['ts-morph', 'esbuild', 'sidepunch']));
    expect(buildOutput).toMatch(
      /^sidepunch-gen: 1 worker → src\/sidepunch\.generated\.ts, dist\/registry\.js, src\/sidepunch\.shapes\.json /m,
    );
    for (const file of ['src/sidepunch.generated.ts', 'dist/registry.js', 'dist/enqueue.js'])
      expect(existsSync(path.join(app, file)), file).toBe(true);
  });

  it("holds sidepunch, croner (periodic jobs' cron) and ioredis's tree, nothing else", () => {
    const installed = installedPackages(path.join(app, 'node_modules'));
    console.log(`production node_modules: ${installed.join(', ')}`);
    expect(installed).toEqual(['sidepunch', 'croner', ...lockedTree('ioredis')].sort());
  });

  it('enqueues through the built stubs, sidepunch-run performs the job, sidepunch-web counts it in /stats', async () => {
    const env = { ...process.env, REDIS_URL: server.url };
    const jid = execFileSync('node', ['dist/enqueue.js'], { cwd: app, env, encoding: 'utf8' }).trim();
    expect(jid).toMatch(/^[0-9a-f]{24}$/);
    const runtime = startProcess(
      'node_modules/.bin/sidepunch-run',
      ['-c', '2', 'dist/registry.js'],
      env,
      app,
    );
    try {
      const greetings = path.join(app, 'greetings.txt');
      await waitUntil('the greeting', () => existsSync(greetings) && readFileSync(greetings, 'utf8') !== '');
      expect(readFileSync(greetings, 'utf8')).toBe(`${jid}:Zoë:2\n`);
    } finally {
      expect(await runtime.stop()).toBe(0);
    }
    const web = startProcess('node_modules/.bin/sidepunch-web', ['--port', '0'], env, app);
    try {
      const url = /dashboard at (http:\/\/[\d.:]+)/.exec(await web.waitForLine(/dashboard at http:/))![1]!;
      const stats = (await (await fetch(`${url}/stats`)).json()) as { sidekiq: Record<string, number> };
      expect(stats.sidekiq).toMatchObject({ processed: 1, failed: 0, enqueued: 0 });
    } finally {
      await web.stop();
    }
  });

  it('sidepunch-gen there prints one line naming the npm command, exits 3 and writes nothing', () => {
    const before = projectFiles(app);
    const gen = spawnSync('node_modules/.bin/sidepunch-gen', [], { cwd: app, encoding: 'utf8' });
    expect({ status: gen.status, stdout: gen.stdout, stderr: gen.stderr }).toEqual({
      status: 3,
      stdout: '',
      stderr: `sidepunch-gen: ts-morph and esbuild are not installed; install them as devDependencies: ${INSTALL_COMMAND}\n`,
    });
    expect(projectFiles(app)).toEqual(before);
    expect(existsSync(path.join(app, 'node_modules/.cache'))).toBe(false);
    // What needs no compiler still works.
    const help = spawnSync('node_modules/.bin/sidepunch-gen', ['--version'], { cwd: app, encoding: 'utf8' });
    expect(help.stdout).toBe(`sidepunch-gen ${manifest.version}\n`);
  });

  it('sidepunch/esbuild there imports, and its setup fails with the same line', () => {
    const script = `const { sidepunch } = await import('sidepunch/esbuild');
try { sidepunch().setup({ initialOptions: {} }); } catch (error) { console.log(error.message); }`;
    const output = execFileSync('node', ['--input-type=module', '-e', script], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(output).toBe(
      `sidepunch/esbuild: ts-morph and esbuild are not installed; install them as devDependencies: ${INSTALL_COMMAND}\n`,
    );
  });

  it("is smaller than the same app's on BullMQ, measured in the same run", () => {
    bullmqApp = installProject({ bullmq: BULLMQ });
    const loaded = execFileSync(
      'node',
      ['--input-type=module', '-e', "const { Queue } = await import('bullmq'); console.log(typeof Queue)"],
      { cwd: bullmqApp, encoding: 'utf8' },
    );
    expect(loaded.trim()).toBe('function');
    const ours = path.join(app, 'node_modules');
    const theirs = path.join(bullmqApp, 'node_modules');
    const sidepunch = { packages: installedPackages(ours).length, bytes: fileBytes(ours) };
    const bullmq = { packages: installedPackages(theirs).length, bytes: fileBytes(theirs) };
    console.log(
      [
        'production node_modules, the sum of its file sizes (symlinks not followed):',
        `  sidepunch ${manifest.version}: ${megabytes(sidepunch.bytes)} in ${sidepunch.packages} packages`,
        `  bullmq ${BULLMQ}:    ${megabytes(bullmq.bytes)} in ${bullmq.packages} packages`,
        `  sidepunch / bullmq: ${(sidepunch.bytes / bullmq.bytes).toFixed(2)}×`,
        `  (the full install, with ts-morph and esbuild for the build: ${megabytes(fullInstall.bytes)} in ${fullInstall.packages.length} packages)`,
      ].join('\n'),
    );
    expect(sidepunch.bytes).toBeLessThan(bullmq.bytes);
  }, 180_000);
});

/** Every package directory under `nodeModules` (scoped ones as `@scope/name`; nested ones too). */
function installedPackages(nodeModules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const packages = entry.startsWith('@')
      ? readdirSync(path.join(nodeModules, entry)).map((name) => `${entry}/${name}`)
      : [entry];
    for (const name of packages) {
      names.push(name);
      const nested = path.join(nodeModules, name, 'node_modules');
      if (existsSync(nested)) names.push(...installedPackages(nested));
    }
  }
  return names.sort();
}

/** `name` and everything it depends on, as this repo's package-lock.json pins them. */
function lockedTree(name: string): string[] {
  const locked = JSON.parse(readFileSync(`${REPO_ROOT}package-lock.json`, 'utf8')).packages;
  const tree = new Set<string>();
  const visit = (dependency: string) => {
    if (tree.has(dependency)) return;
    tree.add(dependency);
    const entry = locked[`node_modules/${dependency}`];
    if (!entry) throw new Error(`${dependency} is not in package-lock.json`);
    for (const next of Object.keys(entry.dependencies ?? {})) visit(next);
  };
  visit(name);
  return [...tree];
}

/** The sum of the sizes of the regular files under `dir`; symlinks (node_modules/.bin) are not followed. */
function fileBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += lstatSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

/** The app's own files (outside node_modules) with their contents. */
function projectFiles(project: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(project, { recursive: true, withFileTypes: true })) {
    const file = path.relative(project, path.join(entry.parentPath, entry.name));
    if (entry.isFile() && !file.startsWith(`node_modules${path.sep}`))
      files[file] = readFileSync(path.join(project, file), 'latin1');
  }
  return files;
}
