import { rmSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client, PushError } from '../../runtime/index.js';
import {
  destroyRedisServer,
  freePort,
  type RedisServer,
  startRedisServer,
} from '../../scripts/redis-server.js';
import { PROBE_REGISTRY, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';
import { makeSelfSignedCert, tlsServerArgs } from '../support/tls-redis.js';

const PASSWORD = 's3cret-Pa55';
let certDir: string;
let tlsPort: number;
let server: RedisServer;
let redis: Redis;
const runtimes: RuntimeProcess[] = [];

/** A URL for the ACL user alice on the TLS port, trusting the test's self-signed certificate. */
function tlsUrl(password: string): string {
  return `rediss://alice:${password}@127.0.0.1:${tlsPort}/0?tls_ca=${certDir}/cert.pem`;
}

beforeAll(async () => {
  certDir = makeSelfSignedCert('sidepunch-tls-');
  tlsPort = await freePort();
  // biome-ignore format: redis-server's argument pairs
  const args = [
    ...tlsServerArgs(certDir, tlsPort),
    // The default user stays open on the plain port for the test's own reads and the probe's writes.
    '--user', 'alice', 'on', `>${PASSWORD}`, '~*', '&*', '+@all',
  ];
  server = await startRedisServer({ args });
  redis = server.connect();
});
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop('SIGKILL');
});
afterAll(async () => {
  await destroyRedisServer(server);
  rmSync(certDir, { recursive: true, force: true });
});

describe('TLS and ACL users', () => {
  it('client and runtime connect as an ACL user over TLS, and the password is never printed', async () => {
    const client = new Client({ redis: tlsUrl(PASSWORD) });
    const jids = await client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 50 }, () => ['ok', 'tls']),
    });
    await client.close();
    // The probe worker writes through REDIS_URL (the plain port); the runtime itself uses --redis.
    const runtime = startRuntime(tlsUrl(PASSWORD), ['--log-level', 'debug', PROBE_REGISTRY], {
      REDIS_URL: server.url,
    });
    runtimes.push(runtime);
    await waitUntil('every job', async () => (await redis.llen('probe:done:tls')) === jids.length);

    const clients = (await redis.client('LIST')) as string;
    const fetchClient = clients.split('\n').find((line) => line.includes('name=sidepunch-fetch'));
    expect(fetchClient).toContain('user=alice');
    expect(fetchClient).toContain(`laddr=127.0.0.1:${tlsPort}`);
    expect(runtime.output()).toContain(`redis=rediss://alice:***@127.0.0.1:${tlsPort}/0?tls_ca=`);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(runtime.output()).not.toContain(PASSWORD);
  });

  it('a wrong password: one warning without it, and a push fails with a PushError without it', async () => {
    const runtime = startRuntime(tlsUrl('wrong-Pa55'), [PROBE_REGISTRY], { REDIS_URL: server.url });
    runtimes.push(runtime);
    const line = await runtime.waitForLine(/cannot reach Redis/);
    expect(line).toMatch(
      /WARN: fetch: cannot reach Redis at rediss:\/\/alice:\*\*\*@127\.0\.0\.1:\d+\/0\?tls_ca=\S+ \(WRONGPASS/,
    );

    const client = new Client({ redis: tlsUrl('wrong-Pa55') });
    const pushed = client.push({ class: 'Probe', args: ['ok', 'never'] });
    await expect(pushed).rejects.toThrow(PushError);
    const message = await pushed.catch((error: Error) => error.message);
    expect(message).toMatch(/^could not save 1 job\(s\) to rediss:\/\/alice:\*\*\*@/);
    await client.close();
    expect(`${runtime.output()}\n${message}`).not.toContain('wrong-Pa55');
  });
});
