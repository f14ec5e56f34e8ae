/**
 * The latency proxy (bench/latency-proxy.ts) in a process of its own in front of a Redis port, so its timers and
 * copies run off the measured processes' event loops.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { ROOT, type Target } from './systems.js';

export interface ProxyProcess {
  readonly target: Target;
  readonly child: ChildProcess;
}

export async function spawnLatencyProxy(redisPort: number, delayMs = 1): Promise<ProxyProcess> {
  const child = spawn(
    process.execPath,
    [`${ROOT}scripts/run-ts.mjs`, `${ROOT}bench/latency-proxy.ts`, String(redisPort), String(delayMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /LISTENING (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the latency proxy exited with ${code}`)));
  });
  return { target: { url: `redis://127.0.0.1:${port}`, port }, child };
}
