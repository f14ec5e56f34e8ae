/** A test's embedded runtime (`sidepunch/embed`): made through `embed`, stopped after each test. */
import { afterEach } from 'vitest';
import { type EmbeddedRuntime, embedRuntime } from '../../runtime/server/embedded-runtime.js';

export interface EmbeddedRuntimes {
  /** embedRuntime's runtime, not started yet; stopped after the test. */
  embed(...args: Parameters<typeof embedRuntime>): EmbeddedRuntime;
}

export function useEmbeddedRuntime(): EmbeddedRuntimes {
  let runtime: EmbeddedRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });
  return { embed: (...args) => (runtime = embedRuntime(...args)) };
}
