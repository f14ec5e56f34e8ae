/**
 * The testing modes, Sidekiq::Testing's: `fake()` records pushed jobs in memory, `inline()` performs them at once,
 * `disable()` sends them to Redis again. Each switches the whole process, or with a callback only that callback
 * (async ones included, and concurrent tests each keep their own mode): the mode is read at every push, from the
 * callback's async context first, then the process-wide setting.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type ClientSource, setPushTarget } from '../client/default-client.js';
import { processWide } from '../core/process-wide.js';
import { TestingClient } from './testing-client.js';

export type TestingMode = 'fake' | 'inline' | 'disabled';

interface ModeState {
  readonly blockMode: AsyncLocalStorage<TestingMode>;
  processMode: TestingMode;
  realTarget?: ClientSource;
  readonly fakeClient: TestingClient;
  readonly inlineClient: TestingClient;
}

// One mode per process, whichever copy of sidepunch/testing switches it (core/process-wide.ts).
const state = processWide<ModeState>('testingModes', () => ({
  blockMode: new AsyncLocalStorage<TestingMode>(),
  processMode: 'disabled',
  fakeClient: new TestingClient('fake'),
  inlineClient: new TestingClient('inline'),
}));

/** The mode a push made here would use. */
export function currentMode(): TestingMode {
  return state.blockMode.getStore() ?? state.processMode;
}

/** Pushes are recorded in memory (see `worker(stub)`, `drainAll`, `clearAll`); with a callback, only inside it. */
export function fake(): void;
export function fake<T>(block: () => T): Promise<Awaited<T>>;
export function fake<T>(block?: () => T): Promise<Awaited<T>> | undefined {
  return switchTo('fake', block);
}

/** Pushes perform the job at once, in the caller's process; its error rejects the push. */
export function inline(): void;
export function inline<T>(block: () => T): Promise<Awaited<T>>;
export function inline<T>(block?: () => T): Promise<Awaited<T>> | undefined {
  return switchTo('inline', block);
}

/** Pushes go to Redis, as without the testing modes. */
export function disable(): void;
export function disable<T>(block: () => T): Promise<Awaited<T>>;
export function disable<T>(block?: () => T): Promise<Awaited<T>> | undefined {
  return switchTo('disabled', block);
}

function switchTo<T>(mode: TestingMode, block?: () => T): Promise<Awaited<T>> | undefined {
  install();
  if (!block) {
    state.processMode = mode;
    return;
  }
  return state.blockMode.run(mode, async (): Promise<Awaited<T>> => await block());
}

/** Puts the testing client behind every push once; the real target stays for the disabled mode. */
function install(): void {
  if (state.realTarget) return;
  state.realTarget = setPushTarget(() => {
    const mode = currentMode();
    if (mode === 'fake') return state.fakeClient;
    if (mode === 'inline') return state.inlineClient;
    return state.realTarget!();
  });
}
