import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/index.js';
import {
  destroyRedisServer,
  freePort,
  type RedisServer,
  startRedisServer,
} from '../../scripts/redis-server.js';
import { REPO_ROOT, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';
import { makeSelfSignedCert, tlsServerArgs } from '../support/tls-redis.js';

const BUSY_REGISTRY = `${REPO_ROOT}fixtures/registries/busy.mjs`;
const PASSWORD = 'pässwörd-ß';
const NAMESPACE = 'tâches';
const DB = 3;
const FAST_BEAT = [
  '--heartbeat',
  '0.25',
  '--process-ttl',
  '2',
  '--log-level',
  'warn',
  '--namespace',
  NAMESPACE,
];
let certDir: string;
let tlsPort: number;
let server: RedisServer;
/** The test's own view, on the database the runtimes use; `probe` on database 0, where the busy worker writes. */
let redis: Redis;
let probe: Redis;
const runtimes: RuntimeProcess[] = [];

function aliceUrl(scheme: 'redis' | 'rediss', db = DB): string {
  const login = `alice:${encodeURIComponent(PASSWORD)}`;
  if (scheme === 'redis') return `redis://${login}@127.0.0.1:${server.port}/${db}`;
  return `rediss://${login}@127.0.0.1:${tlsPort}/${db}?tls_ca=${certDir}/cert.pem`;
}

beforeAll(async () => {
  certDir = makeSelfSignedCert('sidepunch-keeper-tls-');
  tlsPort = await freePort();
  // biome-ignore format: redis-server's argument pairs
  const args = [
    ...tlsServerArgs(certDir, tlsPort),
    // Only alice: a connection that does not log in as alice (AUTH with the password alone included) gets nothing.
    '--user', 'default', 'off',
    '--user', 'alice', 'on', `>${PASSWORD}`, '~*', '&*', '+@all',
  ];
  server = await startRedisServer({ args });
  redis = new Redis(aliceUrl('redis'));
  probe = new Redis(aliceUrl('redis', 0));
});
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop('SIGKILL');
  await redis.flushall();
});
afterAll(async () => {
  redis.disconnect();
  probe.disconnect();
  await destroyRedisServer(server);
  rmSync(certDir, { recursive: true, force: true });
});

async function inProgressTotal(): Promise<number> {
  let total = 0;
  for (const key of await redis.keys(`${NAMESPACE}:in-progress:*`)) total += await redis.llen(key);
  return total;
}

/** The runtimes work on database 3; the busy worker records on database 0 through REDIS_URL. */
function run(url: string): RuntimeProcess {
  const runtime = startRuntime(url, [...FAST_BEAT, BUSY_REGISTRY], { REDIS_URL: aliceUrl('redis', 0) });
  runtimes.push(runtime);
  return runtime;
}

describe('the heartbeat keeper with an ACL user, a database and TLS', () => {
  for (const scheme of ['redis', 'rediss'] as const) {
    it(`a job blocking its loop 4 s, past a 2 s process TTL, runs once (${scheme}://, ACL user, db ${DB})`, async () => {
      const url = aliceUrl(scheme);
      const tag = `blocked-${scheme}`;
      const blocked = run(url);
      await waitUntil('registered', async () => (await redis.scard(`${NAMESPACE}:processes`)) === 1);
      const client = new Client({ redis: url, namespace: NAMESPACE });
      const jid = await client.push({ class: 'Busy', args: [4000, tag] });
      await client.close();
      await waitUntil('it runs', async () => (await probe.llen(`probe:started:${tag}`)) === 1);
      const other = run(url);
      await waitUntil('the other process is registered', async () => {
        return (await redis.scard(`${NAMESPACE}:processes`)) === 2;
      });
      await waitUntil(
        'it is done and nothing is left',
        async () =>
          (await probe.llen(`probe:done:${tag}`)) >= 1 &&
          (await inProgressTotal()) === 0 &&
          (await redis.llen(`${NAMESPACE}:queue:default`)) === 0,
        20_000,
      );
      expect(await probe.lrange(`probe:started:${tag}`, 0, -1)).toEqual([jid]);
      expect(await probe.lrange(`probe:done:${tag}`, 0, -1)).toEqual([jid]);
      await blocked.waitForLine(/event loop blocked for \d+\.\d s/);
      expect(other.output()).not.toMatch(/rescued \d+ job/);
      expect(blocked.output()).not.toContain(PASSWORD);
    });
  }
});
