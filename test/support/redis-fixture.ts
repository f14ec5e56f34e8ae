/**
 * The setup most runtime tests share: a private redis-server for the file, emptied before each test, a client on
 * it, and sidepunch-run processes that are killed after each test.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { Client } from '../../runtime/index.js';
import {
  destroyRedisServer,
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from '../../scripts/redis-server.js';
import { PROBE_REGISTRY, type RuntimeProcess, startRuntime } from './runtime-process.js';

export interface RedisFixture {
  readonly server: RedisServer;
  readonly redis: Redis;
  readonly client: Client;
  /**
   * Starts `sidepunch-run <args> <registry>` (default: the probe registry) on this Redis (or on `url`, e.g. a
   * proxy); it is killed after the test.
   */
  run(args: readonly string[], options?: { registry?: string; url?: string }): RuntimeProcess;
  /** How many jobs every process's in-progress lists hold together. */
  inProgressTotal(): Promise<number>;
}

/** `options` go to the server: `persistent` for tests that stop and restart it. */
export function useRedis(options: RedisServerOptions = {}): RedisFixture {
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  let client: Client | undefined;
  const runtimes: RuntimeProcess[] = [];
  // Stopping or killing the server ends its connections: after a test restarted it, open a fresh one.
  const connection = (): Redis => {
    if (redis!.status === 'end') redis = server!.connect();
    return redis!;
  };

  beforeAll(async () => {
    server = await startRedisServer(options);
    redis = server.connect();
  });
  afterAll(() => destroyRedisServer(server));
  beforeEach(async () => {
    await connection().flushall();
    client = new Client({ redis: server!.url });
  });
  afterEach(async () => {
    await client?.close();
    for (const runtime of runtimes.splice(0)) await runtime.stop('SIGKILL');
  });

  return {
    get server() {
      return server!;
    },
    get redis() {
      return connection();
    },
    get client() {
      return client!;
    },
    run(args, { registry = PROBE_REGISTRY, url = server!.url } = {}) {
      const runtime = startRuntime(url, [...args, registry]);
      runtimes.push(runtime);
      return runtime;
    },
    async inProgressTotal() {
      let total = 0;
      for (const key of await connection().keys('sidepunch:in-progress:*'))
        total += await connection().llen(key);
      return total;
    },
  };
}
