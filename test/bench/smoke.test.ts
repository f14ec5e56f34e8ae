/** `npm run bench -- --quick` as a smoke test: it runs both systems and prints every row. No bar is asserted. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runtime-process.js';

describe('the throughput benchmark', () => {
  it('runs Sidepunch and BullMQ side by side in --quick mode and prints the table with ratios', async () => {
    const child = spawn(
      process.execPath,
      [`${REPO_ROOT}scripts/run-ts.mjs`, 'bench/throughput.ts', '--quick'],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    for (const row of [
      /bulk enqueue 2,000 \(jobs\/s\)\s+[\d,]+\s+[\d,]+\s+[\d.]+×/,
      /drain 2,000 at concurrency 10 \(jobs\/s\)\s+[\d,]+\s+[\d,]+\s+[\d.]+×/,
      /drain 2,000 at concurrency 100 \(jobs\/s\)/,
      /idle enqueue-to-start latency p99 \(µs\)/,
      /Redis memory per queued job \(bytes\)/,
      /worker peak RSS draining at concurrency 100 \(KiB\)/,
      /backlog: draining 10,000 runs at \d+% of the 2,000 rate/,
    ]) {
      expect(output).toMatch(row);
    }
  }, 180_000);
});
