/**
 * The process-wide client behind `push`, `pushBulk` and the generated stubs, opened on first use from
 * `configure(...)` or `REDIS_URL`. The testing modes swap where these pushes go (`setPushTarget`). One per
 * process even when both the ES module and the CommonJS copy of sidepunch are loaded (core/process-wide.ts).
 */
import { processWide } from '../core/process-wide.js';
import { Client, type ClientOptions, type PushBulk, type PushJob } from './client.js';

/** Where `push`, `pushBulk` and the stubs send jobs. */
export type ClientSource = () => Pick<Client, 'push' | 'pushBulk'>;

interface DefaultClientState {
  options: ClientOptions;
  shared?: Client;
  target: ClientSource;
}

const state = processWide<DefaultClientState>('defaultClient', () => ({
  options: {},
  target: defaultClient,
}));

/** Sends every `push`, `pushBulk` and stub push to another client (the testing modes); returns the previous source. */
export function setPushTarget(source: ClientSource): ClientSource {
  const previous = state.target;
  state.target = source;
  return previous;
}

/** The client pushes go to now. */
export function pushTarget(): Pick<Client, 'push' | 'pushBulk'> {
  return state.target();
}

/** Sets where jobs go; call before the first push (or after `close()`). */
export function configure(next: ClientOptions): void {
  if (state.shared)
    throw new Error('sidepunch: configure() must come before the first push, or after close()');
  state.options = next;
}

export function defaultClient(): Client {
  state.shared ??= new Client(state.options);
  return state.shared;
}

/** Saves one job; resolves to its jid, or undefined when a client middleware stopped it. */
export function push(job: PushJob): Promise<string | undefined> {
  return state.target().push(job);
}

/** Saves many jobs of one class in one round trip; resolves to their jids (undefined where stopped). */
export function pushBulk(bulk: PushBulk): Promise<(string | undefined)[]> {
  return state.target().pushBulk(bulk);
}

/**
 * Closes the shared connection: the clean shutdown. A script exits without it once its pushes are settled (the
 * connection holds the process only while one is pending, idle-connection.ts), except on a Redis Cluster.
 */
export async function close(): Promise<void> {
  const client = state.shared;
  state.shared = undefined;
  await client?.close();
}
