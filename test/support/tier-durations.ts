/**
 * A vitest reporter for the end of a run: the tiers that ran (vitest.config.ts), each with its file count and the
 * time its files took (import, hooks and tests, summed: files of every tier share the run's workers side by side),
 * then the run's wall clock.
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export default class TierDurations implements Reporter {
  private vitest?: Vitest;
  private started = performance.now();

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunStart(): void {
    this.started = performance.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tiers = new Map<string, { files: number; ms: number }>();
    for (const module of testModules) {
      const { collectDuration, setupDuration, duration } = module.diagnostic();
      const tier = tiers.get(module.project.name) ?? { files: 0, ms: 0 };
      tiers.set(module.project.name, {
        files: tier.files + 1,
        ms: tier.ms + collectDuration + setupDuration + duration,
      });
    }
    const each = [...tiers].map(
      ([name, { files, ms }]) => `${name} ${clock(ms)} (${files} ${files === 1 ? 'file' : 'files'})`,
    );
    this.vitest?.logger.log(
      `Tiers run: ${each.join(', ')}; wall clock ${clock(performance.now() - this.started)}`,
    );
  }
}

function clock(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
}
