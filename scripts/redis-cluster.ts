/**
 * A real local Redis Cluster for tests and benchmarks: `redis-server --cluster-enabled yes` nodes on free ports,
 * joined with `redis-cli --cluster create` (one replica per primary when there are six nodes).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { destroyRedisServer, type RedisServer, startRedisServer } from './redis-server.js';

const run = promisify(execFile);

export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** `redis+cluster://127.0.0.1:p1,…` */
  readonly url: string;
  /** A connection to the whole cluster (closed by `stop`). */
  connect(): Cluster;
  stop(): Promise<void>;
}

export async function startRedisCluster(
  /** `args`: more redis-server arguments for every node (an ACL user, say). */
  options: { primaries?: number; replicas?: number; args?: readonly string[] } = {},
): Promise<RedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicas = options.replicas ?? 1;
  const nodes = await Promise.all(
    Array.from({ length: primaries * (1 + replicas) }, () =>
      startRedisServer({
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
          ...(options.args ?? []),
        ],
      }),
    ),
  );
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  await run('redis-cli', [
    '--cluster',
    'create',
    ...addresses,
    '--cluster-replicas',
    String(replicas),
    '--cluster-yes',
  ]);
  const connections: Cluster[] = [];
  const connect = () => {
    const cluster = new Cluster(
      nodes.slice(0, primaries).map((node) => ({ host: '127.0.0.1', port: node.port })),
      { redisOptions: { maxRetriesPerRequest: null } },
    );
    cluster.on('error', () => {});
    connections.push(cluster);
    return cluster;
  };
  // Ready once every node agrees the cluster is ok (all slots served) and every replica is attached and in sync.
  const probe = connect();
  const admin = nodes.map((node) => node.connect());
  const ready = async () => {
    const states = await Promise.all(admin.map((node) => node.cluster('INFO') as Promise<string>));
    if (!states.every((state) => state.includes('cluster_state:ok'))) return false;
    const ranges = await admin[0]!.cluster('SLOTS');
    if (!ranges.every((range) => range.length === 2 + 1 + replicas)) return false;
    const roles = await Promise.all(admin.map((node) => node.info('replication')));
    return roles.every((role) => role.includes('role:master') || role.includes('master_link_status:up'));
  };
  while (!(await ready())) await new Promise((resolve) => setTimeout(resolve, 100));
  await probe.ping();
  return {
    nodes,
    url: `redis+cluster://${addresses.slice(0, primaries).join(',')}`,
    connect,
    async stop() {
      for (const connection of connections.splice(0)) connection.disconnect();
      await Promise.all(nodes.map((node) => destroyRedisServer(node)));
    },
  };
}
