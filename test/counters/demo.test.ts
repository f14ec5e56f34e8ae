import { describe, expect, it } from 'vitest';
import { startDemo } from '../support/demo-process.js';

describe('npm run demo', () => {
  it('a shortened run ends with every counter exact and exit 0', async () => {
    const demo = startDemo(['--counters', '3', '--increments', '150', '--decrements', '40']);
    const code = await demo.exited;
    const output = demo.output();
    expect(output).toMatch(/enqueued 190 jobs through the app \(150 increments, 40 decrements\)/);
    expect(output).toMatch(/190\/190 done/);
    expect(output).toMatch(/every counter is exact/);
    const rows = output.split('\n').filter((line) => /^counter \d+ /.test(line));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/✓$/);
    expect(code).toBe(0);
  });

  it('--help prints the flags at once, without generating or bundling the app', async () => {
    const demo = startDemo(['--help']);
    expect(await demo.exited).toBe(0);
    const output = demo.output();
    expect(output).toMatch(/^Usage: npm run demo -- \[options\]/);
    expect(output).toMatch(/--fail-rate R/);
    expect(output).not.toMatch(/sidepunch-gen/);
  });

  it('refuses a bad flag in one line with exit 2', async () => {
    const demo = startDemo(['--fail-rate', '2']);
    expect(await demo.exited).toBe(2);
    const lines = demo.output().trim().split('\n');
    expect(lines.at(-1)).toBe('demo: --fail-rate must be a number from 0 to 0.9, not "2" (see --help)');
    expect(lines.filter((line) => line.startsWith('demo:'))).toHaveLength(1);
  });
});

describe('npm run demo -- --fail-rate 0.2', () => {
  it('against a flaky API, retries bring every counter to its exact value', async () => {
    const demo = startDemo([
      '--fail-rate',
      '0.2',
      '--counters',
      '2',
      '--increments',
      '30',
      '--decrements',
      '10',
    ]);
    const code = await demo.exited;
    expect(demo.output()).toMatch(/fail rate 0\.2/);
    expect(demo.output()).toMatch(/every counter is exact/);
    expect(code, demo.output()).toBe(0);
  }, 120_000);
});
