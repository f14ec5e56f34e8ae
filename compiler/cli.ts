/**
 * `sidepunch-gen`:
 *  1. parse flags and resolve the settings (a usage or settings error: one line, exit 2);
 *  2. when the cache shows nothing changed, stop there, before TypeScript is even loaded;
 *  3. generate in memory; on any diagnostic print them all like tsc and exit 1, writing nothing;
 *  4. `--check`: compare with the files on disk (exit 1 when stale); otherwise write what changed;
 *  5. record the run in the cache.
 * `--watch` hands over to watch.ts.
 */
import { performance } from 'node:perf_hooks';
import { freshRun, recordRun } from './cache.js';
import { HELP, parseFlags, UsageError } from './cli-args.js';
import { ConfigError, type GenConfig, resolveConfig } from './config.js';
import { formatDiagnostics, relativePath } from './format-diagnostics.js';
import { type Output, staleOutputs, writeOutputs } from './outputs.js';

export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly color: boolean;
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stderr.isTTY === true && !process.env.NO_COLOR,
  };
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const started = performance.now();
  let config: GenConfig;
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
    if (flags.help) {
      io.stdout(HELP);
      return 0;
    }
    config = resolveConfig(flags, io.cwd);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(`sidepunch-gen: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (flags.watch) {
    const { watchAndGenerate } = await import('./watch.js');
    await watchAndGenerate(config, io, { signals: true }).closed;
    return 0;
  }
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(2)}s`;
  const names = `${relativePath(config.out, io.cwd)} and ${relativePath(config.registry, io.cwd)}`;

  const fresh = freshRun(config);
  if (fresh) {
    io.stdout(
      `sidepunch-gen: ${plural(fresh.workers, 'worker')}; ${names} are up to date (cached, ${seconds()})\n`,
    );
    return 0;
  }

  const { generate } = await import('./generate.js');
  const { ProjectError } = await import('./project.js');
  let generation: Awaited<ReturnType<typeof generate>>;
  try {
    generation = await generate(config);
  } catch (error) {
    if (error instanceof ProjectError) {
      io.stderr(`sidepunch-gen: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (generation.diagnostics.length > 0) {
    io.stderr(formatDiagnostics(generation.diagnostics, { cwd: io.cwd, color: io.color }));
    return 1;
  }

  let written: Output[] = [];
  if (flags.check) {
    const stale = staleOutputs(generation.outputs);
    if (stale.length > 0) {
      const files = stale.map((output) => relativePath(output.path, io.cwd)).join(' and ');
      io.stderr(
        `sidepunch-gen --check: ${files} ${stale.length === 1 ? 'is' : 'are'} out of date. Run sidepunch-gen.\n`,
      );
      return 1;
    }
  } else {
    written = writeOutputs(generation.outputs);
  }
  recordRun(config, { ...generation.inputs!, outputs: generation.outputs.map((output) => output.path) });
  const count = plural(generation.workers, 'worker');
  if (written.length > 0) {
    const files = written.map((output) => relativePath(output.path, io.cwd)).join(', ');
    io.stdout(`sidepunch-gen: ${count} → ${files} (${seconds()})\n`);
  } else {
    io.stdout(`sidepunch-gen: ${count}; ${names} are up to date (${seconds()})\n`);
  }
  return 0;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
