/**
 * TLS in the two other modes, with an ACL user: `rediss+sentinel://` (Sentinels and Redis on TLS ports only, a
 * primary SIGKILLed: the runtime and the client follow the promoted replica over TLS) and `rediss+cluster://` (three
 * primaries whose cluster bus and announced ports are TLS). The password is never printed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis as IORedis, type Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, SidepunchApi } from '../../runtime/index.js';
import {
  destroyRedisServer,
  freePort,
  type RedisServer,
  startRedisServer,
} from '../../scripts/redis-server.js';
import { requireRedisSentinel } from '../support/required-tool.js';
import { PROBE_REGISTRY, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';
import { makeSelfSignedCert, tlsServerArgs } from '../support/tls-redis.js';

const PASSWORD = 'tls-modes-Pa55';
// biome-ignore format: redis-server's argument pairs
const ACL = ['--user', 'alice', 'on', `>${PASSWORD}`, '~*', '&*', '+@all'];

let certDir: string;
let results: RedisServer;
let resultsRedis: Redis;
const servers: RedisServer[] = [];
const sentinels: ChildProcess[] = [];
const runtimes: RuntimeProcess[] = [];

beforeAll(async () => {
  certDir = makeSelfSignedCert('sidepunch-tls-modes-');
  results = await startRedisServer();
  resultsRedis = results.connect();
});
afterAll(async () => {
  for (const runtime of runtimes) await runtime.stop('SIGKILL');
  for (const sentinel of sentinels) sentinel.kill('SIGKILL');
  for (const server of servers) await destroyRedisServer(server);
  await destroyRedisServer(results);
  rmSync(certDir, { recursive: true, force: true });
});

/** A redis-server serving TLS on a port of its own (its plain port is the test's). */
async function tlsServer(args: readonly string[]): Promise<{ server: RedisServer; tlsPort: number }> {
  const tlsPort = await freePort();
  const server = await startRedisServer({ args: [...tlsServerArgs(certDir, tlsPort), ...ACL, ...args] });
  servers.push(server);
  return { server, tlsPort };
}

function run(url: string, args: readonly string[]): RuntimeProcess {
  const runtime = startRuntime(url, [...args, PROBE_REGISTRY], { REDIS_URL: results.url });
  runtimes.push(runtime);
  return runtime;
}

const done = (tag: string) => resultsRedis.llen(`probe:done:${tag}`);

requireRedisSentinel().describe('TLS with Sentinel', () => {
  it('rediss+sentinel://: the runtime and the client follow a failover over TLS', async () => {
    const replication = ['--masteruser', 'alice', '--masterauth', PASSWORD, '--tls-replication', 'yes'];
    const primary = await tlsServer(replication);
    const replica = await tlsServer([...replication, '--replicaof', '127.0.0.1', String(primary.tlsPort)]);
    const dir = mkdtempSync(path.join(tmpdir(), 'sidepunch-tls-sentinel-'));
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) {
      const file = path.join(dir, `sentinel-${port}.conf`);
      // biome-ignore format: one directive a line
      writeFileSync(file, [
        'port 0', `tls-port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, 'tls-replication yes', 'tls-auth-clients no',
        `tls-cert-file ${certDir}/cert.pem`, `tls-key-file ${certDir}/key.pem`, `tls-ca-cert-file ${certDir}/cert.pem`,
        `sentinel monitor mymaster 127.0.0.1 ${primary.tlsPort} 2`, 'sentinel down-after-milliseconds mymaster 1000',
        'sentinel failover-timeout mymaster 3000', 'sentinel auth-user mymaster alice', `sentinel auth-pass mymaster ${PASSWORD}`, '',
      ].join('\n'));
      sentinels.push(spawn('redis-sentinel', [file], { stdio: 'ignore' }));
    }
    const replicaAdmin = replica.server.connect();
    await waitUntil('the replica in sync', async () =>
      (await replicaAdmin.info('replication')).includes('master_link_status:up'),
    );
    const hosts = ports.map((port) => `127.0.0.1:${port}`).join(',');
    const url = `rediss+sentinel://alice:${PASSWORD}@${hosts}/mymaster?tls_ca=${certDir}/cert.pem`;
    const client = new Client({ redis: url });
    await client.pushBulk({ class: 'Probe', args: Array.from({ length: 20 }, () => ['ok', 'sentinel']) });
    const runtime = run(url, ['--heartbeat', '1', '--process-ttl', '3']);
    await waitUntil('the jobs pushed before the failover', async () => (await done('sentinel')) === 20);
    // Every Sentinel knows the replica and the two others before the primary goes, so that they promote it.
    const ca = readFileSync(`${certDir}/cert.pem`, 'utf8');
    const watchers = ports.map((port) => new IORedis({ port, tls: { ca }, lazyConnect: true }));
    for (const watcher of watchers) watcher.on('error', () => {});
    await waitUntil('the Sentinels to know the replica and each other', async () => {
      for (const watcher of watchers) {
        const replicas = (await watcher.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[];
        const others = (await watcher.call('SENTINEL', 'SENTINELS', 'mymaster')) as unknown[];
        if (replicas.length !== 1 || others.length !== 2) return false;
      }
      return true;
    });
    for (const watcher of watchers) watcher.disconnect();
    await primary.server.kill();
    await runtime.waitForLine(/fetch: connected to Redis at rediss\+sentinel:\/\/.* again/, 30_000);
    await client.push({ class: 'Probe', args: ['ok', 'sentinel'] });
    await waitUntil('a job pushed after the failover', async () => (await done('sentinel')) === 21);
    expect(await replicaAdmin.info('replication')).toContain('role:master');
    await client.close();
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(runtime.output()).toContain('redis=rediss+sentinel://alice:***@');
    expect(runtime.output()).not.toContain(PASSWORD);
    rmSync(dir, { recursive: true, force: true });
  });
});

it('rediss+cluster://: push, perform, schedule and the data API over TLS', async () => {
  const nodes = await Promise.all(
    [0, 1, 2].map(() =>
      // biome-ignore format: redis-server's argument pairs
      tlsServer(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--tls-cluster', 'yes']),
    ),
  );
  const addresses = nodes.map(({ tlsPort }) => `127.0.0.1:${tlsPort}`);
  // biome-ignore format: one command line
  await promisify(execFile)('redis-cli', [
    '--tls', '--cacert', `${certDir}/cert.pem`, '--cluster', 'create', ...addresses, '--cluster-yes',
  ]);
  const admin = nodes[0]!.server.connect();
  await waitUntil('every slot served', async () =>
    ((await admin.cluster('INFO')) as string).includes('cluster_state:ok'),
  );
  const url = `rediss+cluster://alice:${PASSWORD}@${addresses.join(',')}?tls_ca=${certDir}/cert.pem`;
  const client = new Client({ redis: url });
  await client.pushBulk({
    class: 'Probe',
    queue: 'a',
    args: Array.from({ length: 20 }, () => ['ok', 'cluster']),
  });
  await client.push({ class: 'Probe', queue: 'b', args: ['ok', 'cluster'], in: 0.3 });
  await client.close();
  const runtime = run(url, ['-q', 'a', '-q', 'b', '--poll-interval', '0.3']);
  await waitUntil('every job, the scheduled one too', async () => (await done('cluster')) === 21);
  const api = new SidepunchApi({ redis: url });
  expect((await api.queues()).map((queue) => queue.name).sort()).toEqual(['a', 'b']);
  await api.close();
  expect(await runtime.stop('SIGTERM')).toBe(0);
  expect(runtime.output()).toContain('redis=rediss+cluster://alice:***@');
  expect(runtime.output()).not.toContain(PASSWORD);
});
