/**
 * `npm run bench -- --smoke` as a smoke test: every system (Ruby Sidekiq where the vendored copy runs, else the
 * column is skipped with its reason), every scenario on Redis directly and the bulk enqueue and drain -c 30 through
 * the latency proxy, with their cost rows, the default-level drain, feature costs and the goals. No bar is asserted.
 * --drain N sets the same-host drains' N; a bad N is refused in one line. --json keeps every run behind a median.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runtime-process.js';

describe('the throughput benchmark', () => {
  it('runs Sidepunch, BullMQ and Sidekiq side by side, with and without the proxy, in --smoke mode', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidepunch-bench-json-'));
    const json = path.join(dir, 'bench.json');
    const child = spawn(
      process.execPath,
      [`${REPO_ROOT}scripts/run-ts.mjs`, 'bench/throughput.ts', '--smoke', '--drain', '3000', '--json', json],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
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
    // The JSON keeps each run's figure beside the median (--smoke runs each once).
    const written = JSON.parse(readFileSync(json, 'utf8')) as {
      lines: ({ label: string; values: Record<string, number>; runs?: Record<string, number[]> } | string)[];
    };
    rmSync(dir, { recursive: true, force: true });
    const drainRow = written.lines.find(
      (line) => typeof line !== 'string' && line.label === 'drain 3,000 at concurrency 30',
    );
    expect(drainRow).toMatchObject({
      runs: { sidepunch: [expect.any(Number)], bullmq: [expect.any(Number)] },
    });
    if (typeof drainRow !== 'string') expect(drainRow?.runs?.sidepunch).toEqual([drainRow?.values.sidepunch]);
    const sidekiq = /Sidekiq 7\.3\.9 on Ruby [\d.]+, YJIT (on|off)/.test(output);
    if (!sidekiq) expect(output).toMatch(/sidekiq column skipped: .+/);
    // Three figures and two ratios with Sidekiq; two and one without.
    const figures = sidekiq
      ? /\s+[\d,.]+\s+[\d,.]+\s+[\d,.]+\s+[\d.]+×\s+[\d.]+×/
      : /\s+[\d,.]+\s+[\d,.]+\s+—\s+[\d.]+×/;
    const row = (label: string) => new RegExp(`${label}${figures.source}`);
    const everyNetwork = [
      row('bulk enqueue [\\d,]+ \\(jobs/s\\)'),
      row('bulk enqueue [\\d,]+: Redis commands per job \\(commands/job\\)'),
      row('drain [\\d,]+ at concurrency 30 \\(jobs/s\\)'),
      row('drain -c 30: redis-server CPU per 100,000 jobs \\(CPU s/100k jobs\\)'),
    ];
    const proxied = output.slice(output.indexOf('-- through the proxy, 1 ms each way'));
    for (const pattern of everyNetwork) expect(proxied).toMatch(pattern);
    const local = output.slice(
      output.indexOf('-- Redis on the same host'),
      output.indexOf('-- through the proxy'),
    );
    for (const pattern of [
      ...everyNetwork,
      row('drain 3,000 at concurrency 30 \\(jobs/s\\)'),
      row('drain 3,000 at concurrency 100 \\(jobs/s\\)'),
      row('idle enqueue-to-start latency p99 \\(µs\\)'),
      row('idle latency: Redis commands per job \\(commands/job\\)'),
      row('single enqueue latency p99 \\(µs\\)'),
    ]) {
      expect(local).toMatch(pattern);
    }
    for (const pattern of [
      /drain 3,000 at concurrency 100, --log-level info \(the default\) \(jobs\/s\)\s+[\d,]+/,
      /unique job \(lock per arguments\), ×[\d.]+ of plain \(jobs\/s\)\s+[\d,]+/,
      /concurrency limiter, never reached: Redis \(commands\/job\)\s+[\d.]+/,
      /execution metrics, Sidekiq 7 format \(the default\), ×[\d.]+ of plain/,
      /default log level: the drain at info runs at \d+% of the warn level's/,
      /backlog: draining 10,000 runs at \d+% of the 3,000 rate/,
      /(met|NOT MET) +1 ms each way: drain -c 30 ≥ 5× BullMQ and ≥ 10× Sidekiq: [\d.]+× BullMQ/,
    ]) {
      expect(output).toMatch(pattern);
    }
  }, 300_000);

  it('refuses a --drain that is not a whole number of jobs, in one line, before starting anything', () => {
    const run = spawnSync(
      process.execPath,
      [`${REPO_ROOT}scripts/run-ts.mjs`, 'bench/throughput.ts', '--drain', '12x'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('--drain must be a whole number of jobs, at least 1000, not "12x"');
    expect(run.stdout).toBe('');
  });
});
