/**
 * A registry written by hand in TypeScript, run without a build, in a project with sidepunch installed from the
 * tarball and tsx (the version this repo pins) beside it: `NODE_OPTIONS='--import tsx' npx sidepunch-run
 * src/registry.ts` and `node --import tsx node_modules/sidepunch/bin/sidepunch-run.js src/registry.ts` perform its
 * jobs. Without a loader, and for a registry that is not there, sidepunch-run says in one line what to do.
 * (Node ≥ 22.6's --experimental-strip-types is documented, not tested: this repo's Node is 20.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/index.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { installPackage, removeProject } from '../support/installed-package.js';
import { isAlive, REPO_ROOT, waitUntil } from '../support/runtime-process.js';

const REGISTRY = `import { appendFileSync } from 'node:fs';
import { defineRegistry, type SidepunchWorker } from 'sidepunch';

class Greet implements SidepunchWorker {
  perform(name: string): void {
    appendFileSync(process.env.GREETINGS!, \`hello \${name}\\n\`);
  }
}

export default defineRegistry({ workers: { Greet } });
`;

const TSX_VERSION: string = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')).devDependencies.tsx;

let server: RedisServer;
let redis: Redis;
let project: string;
let greetings: string;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
  project = installPackage();
  execNpm(['install', '--no-audit', '--no-fund', '--prefer-offline', `tsx@${TSX_VERSION}`]);
  mkdirSync(path.join(project, 'src'));
  writeFileSync(path.join(project, 'src/registry.ts'), REGISTRY);
  greetings = path.join(project, 'greetings.txt');
}, 240_000);
afterAll(async () => {
  await destroyRedisServer(server);
  removeProject(project);
});

function execNpm(args: string[]): void {
  const result = spawnSync('npm', args, { cwd: project, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${result.stderr}`);
}

/**
 * Starts `command` in the project with one Greet job queued, waits until the job wrote its line, then stops the
 * worker (which may be a grandchild of what was started) with SIGTERM; returns what was printed.
 */
async function greets(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  await redis.flushall();
  const client = new Client({ redis: server.url });
  await client.push({ class: 'Greet', args: [name] });
  await client.close();
  const child = spawn(command, args, {
    cwd: project,
    env: { ...process.env, REDIS_URL: server.url, GREETINGS: greetings, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let worker: number | undefined;
  try {
    await waitUntil(
      `the job's greeting\n${output}`,
      () => existsSync(greetings) && readFileSync(greetings, 'utf8').includes(`hello ${name}\n`),
    );
    const [identity] = await redis.smembers('processes');
    worker = Number(identity!.split(':')[1]);
    process.kill(worker, 'SIGTERM');
    await exited;
    await waitUntil('the worker gone', () => !isAlive(worker!));
    return output;
  } finally {
    if (worker !== undefined && isAlive(worker)) process.kill(worker, 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe('a hand-written src/registry.ts, without a build', () => {
  it("NODE_OPTIONS='--import tsx' npx sidepunch-run src/registry.ts performs its jobs", async () => {
    const output = await greets('npx', 'npx', ['sidepunch-run', 'src/registry.ts'], {
      NODE_OPTIONS: '--import tsx',
    });
    expect(output).toMatch(/INFO: bye/);
  });

  it('node --import tsx node_modules/sidepunch/bin/sidepunch-run.js src/registry.ts performs its jobs', async () => {
    const output = await greets('node', 'node', [
      '--import',
      'tsx',
      'node_modules/sidepunch/bin/sidepunch-run.js',
      'src/registry.ts',
    ]);
    expect(output).toMatch(/INFO: bye/);
  });

  it('without a loader: one line saying how to load TypeScript, exit 1', () => {
    const result = runWithoutLoader('src/registry.ts');
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 1,
      stderr:
        "sidepunch-run: cannot load registry src/registry.ts: Node needs a loader for TypeScript: NODE_OPTIONS='--import tsx' " +
        '(with tsx installed), or --experimental-strip-types on Node ≥ 22.6; or give the compiled .js\n',
    });
  });
});

/** The installed sidepunch-run, with no loader for TypeScript. */
function runWithoutLoader(registry: string) {
  return spawnSync('node_modules/.bin/sidepunch-run', [registry], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: server.url },
  });
}

describe('a registry that is not there', () => {
  it('says to run sidepunch-gen first, in one line, exit 1', () => {
    const result = runWithoutLoader('dist/registry.js');
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 1,
      stderr:
        'sidepunch-run: cannot load registry dist/registry.js: not found — run sidepunch-gen first to generate it, ' +
        'or give the path of a registry you wrote\n',
    });
  });
});
