/**
 * The process-wide client behind `push`, `pushBulk` and the generated stubs, opened on first use from
 * `configure(...)` or `REDIS_URL`.
 */
import { Client, type ClientOptions, type PushBulk, type PushJob } from './client.js';

let options: ClientOptions = {};
let shared: Client | undefined;

/** Sets where jobs go; call before the first push (or after `close()`). */
export function configure(next: ClientOptions): void {
  if (shared) throw new Error('sidepunch: configure() must come before the first push, or after close()');
  options = next;
}

export function defaultClient(): Client {
  shared ??= new Client(options);
  return shared;
}

export function push(job: PushJob): Promise<string> {
  return defaultClient().push(job);
}

export function pushBulk(bulk: PushBulk): Promise<string[]> {
  return defaultClient().pushBulk(bulk);
}

/** Closes the shared connection so a script can exit. */
export async function close(): Promise<void> {
  const client = shared;
  shared = undefined;
  await client?.close();
}
