/**
 * Where a run's time goes, for profiling: with SIDEPUNCH_GEN_TIMINGS=1 in the environment, each `mark` prints
 * the milliseconds since the previous one to stderr (`sidepunch-gen timing: analysis 41 ms`). Silent otherwise.
 */
import { performance } from 'node:perf_hooks';

export interface PhaseTimer {
  mark(phase: string): void;
}

const SILENT: PhaseTimer = { mark: () => {} };

export function phaseTimer(): PhaseTimer {
  if (!process.env.SIDEPUNCH_GEN_TIMINGS) return SILENT;
  let last = performance.now();
  return {
    mark(phase) {
      const now = performance.now();
      process.stderr.write(`sidepunch-gen timing: ${phase} ${(now - last).toFixed(0)} ms\n`);
      last = now;
    },
  };
}
