/** Runs the counters demo (`fixtures/counters/run-demo.mjs`) as a child process with its own output folder. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { REPO_ROOT } from './runtime-process.js';

export interface DemoProcess {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

/** `redisUrl`: the demo's REDIS_URL; without it, the demo starts its own private redis-server. */
export function startDemo(args: readonly string[], redisUrl?: string): DemoProcess {
  const env = { ...process.env };
  delete env.REDIS_URL;
  if (redisUrl !== undefined) env.REDIS_URL = redisUrl;
  // Inside the repo, so the bundles resolve 'sidepunch' and 'ioredis' as an app's would.
  env.SIDEPUNCH_DEMO_OUT = `${REPO_ROOT}fixtures/counters/dist/test-${randomBytes(4).toString('hex')}`;
  const child = spawn(process.execPath, [`${REPO_ROOT}fixtures/counters/run-demo.mjs`, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    text += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      rmSync(env.SIDEPUNCH_DEMO_OUT!, { recursive: true, force: true });
      resolve(code);
    }),
  );
  return { child, output: () => text, exited };
}
