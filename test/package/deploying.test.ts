/**
 * The ways docs/deploying.md starts `sidepunch-run` in an installed project: SIGTERM to what was started ends in a
 * graceful stop (the running job back in its queue, the process out of the process set), even when npm, which
 * does not pass the signal on to a script run through a shell, is what was started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/index.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { installPackage, removeProject } from '../support/installed-package.js';
import { isAlive, waitUntil } from '../support/runtime-process.js';

const FLAGS = '-t 1 --heartbeat 0.25 --process-ttl 1 registry.mjs';

let server: RedisServer;
let redis: Redis;
let project: string;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
  project = installPackage({
    worker: `exec sidepunch-run ${FLAGS}`,
    'worker-no-exec': `sidepunch-run ${FLAGS}`,
  });
  writeFileSync(
    path.join(project, 'registry.mjs'),
    `export class Hang { perform() { return new Promise(() => {}); } }
export default { workers: { Hang } };
`,
  );
}, 180_000);
afterAll(async () => {
  await destroyRedisServer(server);
  removeProject(project);
});

interface Stopped {
  /** The exit of what was started (npm, npx, or the worker itself). */
  readonly started: number | string;
  /** Milliseconds from SIGTERM until the worker was gone. */
  readonly ms: number;
  readonly output: string;
}

/** Starts `command` in the project, on the test's Redis; `output()` is what it wrote so far, stdout and stderr. */
function startInProject(
  command: string,
  args: readonly string[],
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, {
    cwd: project,
    env: { ...process.env, REDIS_URL: server.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  return { child, output: () => output };
}

/**
 * Starts `command` in the project with a hanging job to run, sends SIGTERM to it once the job runs, and waits for
 * the worker (which may be a grandchild) to be gone.
 */
async function termWhileRunning(command: string, args: readonly string[]): Promise<Stopped> {
  await redis.flushall();
  const client = new Client({ redis: server.url });
  await client.push({ class: 'Hang', args: [] });
  await client.close();
  const payload = (await redis.lrange('queue:default', 0, -1))[0]!;
  const { child, output } = startInProject(command, args);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  let worker: number | undefined;
  try {
    await waitUntil('the job running', async () => (await redis.llen('queue:default')) === 0, 30_000);
    const [identity] = await redis.smembers('processes');
    worker = Number(identity!.split(':')[1]);
    const termAt = performance.now();
    child.kill('SIGTERM');
    await waitUntil('the worker gone', () => !isAlive(worker!), 15_000);
    const ms = performance.now() - termAt;
    expect(await redis.lrange('queue:default', 0, -1)).toEqual([payload]);
    expect(await redis.smembers('processes')).toEqual([]);
    return { started: await exited, ms, output: output() };
  } finally {
    if (worker !== undefined && isAlive(worker)) process.kill(worker, 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe('SIGTERM stops the worker gracefully, however it was started', () => {
  it('the bin in node_modules/.bin', async () => {
    const stopped = await termWhileRunning('node_modules/.bin/sidepunch-run', FLAGS.split(' '));
    console.log(`node_modules/.bin/sidepunch-run: exit ${stopped.started}, ${stopped.ms.toFixed(0)} ms`);
    expect(stopped.started).toBe(0);
    expect(stopped.output).toMatch(/INFO: bye/);
  });

  it('node node_modules/sidepunch/bin/sidepunch-run.js', async () => {
    const stopped = await termWhileRunning('node', [
      'node_modules/sidepunch/bin/sidepunch-run.js',
      ...FLAGS.split(' '),
    ]);
    console.log(`node …/bin/sidepunch-run.js: exit ${stopped.started}, ${stopped.ms.toFixed(0)} ms`);
    expect(stopped.started).toBe(0);
    expect(stopped.output).toMatch(/INFO: bye/);
  });

  it('an npm script that execs sidepunch-run: npm passes TERM on to it', async () => {
    const stopped = await termWhileRunning('npm', ['run', 'worker']);
    console.log(`npm run worker (exec): npm exit ${stopped.started}, ${stopped.ms.toFixed(0)} ms`);
    expect(stopped.output).toMatch(/INFO: SIGTERM received/);
    expect(stopped.output).toMatch(/INFO: bye/);
  });

  it('an npm script without exec: npm exits at once, and the worker notices and stops gracefully', async () => {
    const stopped = await termWhileRunning('npm', ['run', 'worker-no-exec']);
    console.log(
      `npm run worker-no-exec: npm exit ${stopped.started}, worker gone ${stopped.ms.toFixed(0)} ms`,
    );
    expect(stopped.output).toMatch(/npm, which started this process, is gone/);
    expect(stopped.output).toMatch(/INFO: bye/);
  });

  it('npx sidepunch-run: npx exits at once, and the worker notices and stops gracefully', async () => {
    const stopped = await termWhileRunning('npx', ['sidepunch-run', ...FLAGS.split(' ')]);
    console.log(`npx sidepunch-run: npx exit ${stopped.started}, worker gone ${stopped.ms.toFixed(0)} ms`);
    expect(stopped.output).toMatch(/npm, which started this process, is gone/);
    expect(stopped.output).toMatch(/INFO: bye/);
  });
});

/** The pids of `pid`'s descendants now (Linux /proc), children before grandchildren. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {} // gone meanwhile
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, itsParent] of parents) {
      if (itsParent !== parent) continue;
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

describe('SIGTERM closes the dashboard, however it was started', () => {
  it('npx sidepunch-web: npx exits at once, and the dashboard notices and closes', async () => {
    const { child: npx, output } = startInProject('npx', ['sidepunch-web', '--port', '0']);
    let below: number[] = [];
    try {
      await waitUntil('the dashboard URL', () => /dashboard at http:/.test(output()), 30_000);
      below = descendantsOf(npx.pid!);
      expect(below.length).toBeGreaterThan(0);
      npx.kill('SIGTERM');
      await waitUntil('the dashboard gone', () => below.every((pid) => !isAlive(pid)), 15_000);
      expect(output()).toMatch(/npm, which started this process, is gone/);
    } finally {
      for (const pid of below) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      if (npx.exitCode === null && npx.signalCode === null) npx.kill('SIGKILL');
    }
  });
});
