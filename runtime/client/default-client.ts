/**
 * The process-wide client behind `push`, `pushBulk` and the generated stubs, opened on first use from
 * `configure(...)` or `REDIS_URL`. The testing modes swap where these pushes go (`setPushTarget`).
 */
import { Client, type ClientOptions, type PushBulk, type PushJob } from './client.js';

let options: ClientOptions = {};
let shared: Client | undefined;

/** Where `push`, `pushBulk` and the stubs send jobs. */
export type ClientSource = () => Pick<Client, 'push' | 'pushBulk'>;

let target: ClientSource = defaultClient;

/** Sends every `push`, `pushBulk` and stub push to another client (the testing modes); returns the previous source. */
export function setPushTarget(source: ClientSource): ClientSource {
  const previous = target;
  target = source;
  return previous;
}

/** The client pushes go to now. */
export function pushTarget(): Pick<Client, 'push' | 'pushBulk'> {
  return target();
}

/** Sets where jobs go; call before the first push (or after `close()`). */
export function configure(next: ClientOptions): void {
  if (shared) throw new Error('sidepunch: configure() must come before the first push, or after close()');
  options = next;
}

export function defaultClient(): Client {
  shared ??= new Client(options);
  return shared;
}

/** Saves one job; resolves to its jid, or undefined when a client middleware stopped it. */
export function push(job: PushJob): Promise<string | undefined> {
  return target().push(job);
}

/** Saves many jobs of one class in one round trip; resolves to their jids (undefined where stopped). */
export function pushBulk(bulk: PushBulk): Promise<(string | undefined)[]> {
  return target().pushBulk(bulk);
}

/**
 * Closes the shared connection: the clean shutdown. A script exits without it once its pushes are settled (the
 * connection holds the process only while one is pending, idle-connection.ts), except on a Redis Cluster.
 */
export async function close(): Promise<void> {
  const client = shared;
  shared = undefined;
  await client?.close();
}
