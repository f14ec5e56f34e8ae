/**
 * A Redis primary, one replica and three `redis-sentinel` processes watching them, on free ports, for failover
 * tests. Sentinels notice a dead primary after 1 s and promote the replica. With `user`, both Redis servers have
 * that ACL user, which replication and the Sentinels use; the default user stays open for the test's own reads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  destroyRedisServer,
  freePort,
  type RedisServer,
  startRedisServer,
} from '../../scripts/redis-server.js';
import { waitUntil } from './runtime-process.js';

export const MASTER_NAME = 'mymaster';

export interface SentinelGroup {
  readonly primary: RedisServer;
  readonly replica: RedisServer;
  readonly sentinelPorts: readonly number[];
  /** `redis+sentinel://[user:password@]127.0.0.1:p1,…/mymaster` */
  readonly url: string;
  /** The port the Sentinels currently name as primary. */
  primaryPort(): Promise<number>;
  stop(): Promise<void>;
}

export async function startSentinelGroup(
  options: { user?: { name: string; password: string } } = {},
): Promise<SentinelGroup> {
  const { user } = options;
  const acl = user
    ? [
        '--user',
        user.name,
        'on',
        `>${user.password}`,
        '~*',
        '&*',
        '+@all',
        '--masteruser',
        user.name,
        '--masterauth',
        user.password,
      ]
    : [];
  const primary = await startRedisServer({ args: acl });
  const replica = await startRedisServer({
    args: [...acl, '--replicaof', '127.0.0.1', String(primary.port)],
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'sidepunch-sentinel-'));
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];
  const sentinels: ChildProcess[] = [];
  const admin: Redis[] = [];
  for (const port of sentinelPorts) {
    // Sentinel rewrites its config file as it learns, so each one gets its own, writable.
    const file = path.join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 3000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        ...(user
          ? [
              `sentinel auth-user ${MASTER_NAME} ${user.name}`,
              `sentinel auth-pass ${MASTER_NAME} ${user.password}`,
            ]
          : []),
        '',
      ].join('\n'),
    );
    sentinels.push(spawn('redis-sentinel', [file], { stdio: 'ignore' }));
    const connection = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null, lazyConnect: true });
    connection.on('error', () => {});
    admin.push(connection);
  }
  const sentinelCommand = (connection: Redis, ...args: string[]) =>
    connection.call('SENTINEL', ...args) as Promise<unknown[]>;
  const replicaAdmin = replica.connect();
  // Ready once the replica has synced and every Sentinel knows the replica and the two other Sentinels.
  await waitUntil(
    'the replica to sync and the Sentinels to find each other',
    async () => {
      const info = await replicaAdmin.info('replication');
      if (!info.includes('master_link_status:up')) return false;
      for (const connection of admin) {
        try {
          if ((await sentinelCommand(connection, 'REPLICAS', MASTER_NAME)).length !== 1) return false;
          if ((await sentinelCommand(connection, 'SENTINELS', MASTER_NAME)).length !== 2) return false;
        } catch {
          return false;
        }
      }
      return true;
    },
    30_000,
    100,
  );

  return {
    primary,
    replica,
    sentinelPorts,
    url: `redis+sentinel://${user ? `${user.name}:${user.password}@` : ''}${sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',')}/${MASTER_NAME}`,
    async primaryPort() {
      const [, port] = (await sentinelCommand(admin[0]!, 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[];
      return Number(port);
    },
    async stop() {
      for (const connection of admin) connection.disconnect();
      await Promise.all(
        sentinels.map(
          (sentinel) =>
            new Promise((resolve) => {
              if (sentinel.exitCode !== null) return resolve(undefined);
              sentinel.once('exit', resolve);
              sentinel.kill('SIGKILL');
            }),
        ),
      );
      await destroyRedisServer(primary);
      await destroyRedisServer(replica);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
