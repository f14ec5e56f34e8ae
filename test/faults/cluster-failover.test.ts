/**
 * A Redis Cluster primary SIGKILLed under load: 9,000 jobs on three queues (one per primary, as their slots fall),
 * replicated before `sidepunch-run` starts; mid-drain the primary holding one queue dies and its replica takes over.
 * The runtime must follow the new slot owner by itself and perform every job at least once.
 */
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/index.js';
import { type RedisCluster, startRedisCluster } from '../../scripts/redis-cluster.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { PROBE_REGISTRY, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';

const QUEUES = ['q1', 'q2', 'q3'];
const PER_QUEUE = 3_000;

let cluster: RedisCluster;
let redis: Cluster;
let results: RedisServer;
let resultsRedis: Redis;
let runtime: RuntimeProcess | undefined;

beforeAll(async () => {
  [cluster, results] = await Promise.all([startRedisCluster(), startRedisServer()]);
  redis = cluster.connect();
  resultsRedis = results.connect();
});
afterAll(async () => {
  await runtime?.stop('SIGKILL');
  await cluster?.stop();
  await destroyRedisServer(results);
});

/** The runtime's last lines, for a failure's message. */
function tail(process: RuntimeProcess): string {
  return process.output().split('\n').slice(-15).join('\n');
}

/** The node (by port) serving `key`'s slot as primary, and its replicas. */
async function ownerOf(key: string): Promise<{ primary: number; replicas: number[] }> {
  const slot = (await redis.cluster('KEYSLOT', key)) as number;
  const ranges = await redis.cluster('SLOTS');
  const [, , ...nodes] = ranges.find(([from, to]) => from <= slot && slot <= to)!;
  const [primary, ...replicas] = nodes.map(([, port]) => port);
  return { primary: primary!, replicas };
}

describe('Redis Cluster failover under load', () => {
  it('a primary is SIGKILLed mid-drain: the runtime follows its promoted replica and every job runs', async () => {
    const client = new Client({ redis: cluster.url });
    const jids: string[] = [];
    for (const queue of QUEUES) {
      jids.push(
        ...((await client.pushBulk({
          class: 'Probe',
          queue,
          args: Array.from({ length: PER_QUEUE }, () => ['slow', 2, 'cluster-failover']),
        })) as string[]),
      );
    }
    await client.close();
    // A cluster just formed may not list its replicas in CLUSTER SLOTS yet.
    let owner = await ownerOf('queue:q1');
    await waitUntil('the slot to list a replica', async () => {
      owner = await ownerOf('queue:q1');
      return owner.replicas.length > 0;
    });
    const victim = cluster.nodes.find((node) => node.port === owner.primary)!;
    // Every replica has every push before the runtime starts, so a lost job would be the runtime's fault.
    await waitUntil('replicas in sync', async () => {
      const offset = (info: string) => Number(/(?:master|slave)_repl_offset:(\d+)/.exec(info)?.[1]);
      const primaryOffset = offset(await victim.connect().info('replication'));
      const replica = cluster.nodes.find((node) => node.port === owner.replicas[0])!;
      return offset(await replica.connect().info('replication')) >= primaryOffset;
    });

    runtime = startRuntime(
      cluster.url,
      [
        ...QUEUES.flatMap((queue) => ['-q', `${queue},1`]),
        '-c',
        '20',
        '--heartbeat',
        '1',
        '--process-ttl',
        '3',
        PROBE_REGISTRY,
      ],
      { REDIS_URL: results.url },
    );
    await waitUntil(
      'a third performed',
      async () => (await resultsRedis.llen('probe:done:cluster-failover')) >= jids.length / 3,
    );
    const killedAt = Date.now();
    await victim.kill();
    await waitUntil(
      'the replica to take over',
      async () => (await ownerOf('queue:q1').catch(() => owner)).primary !== owner.primary,
      30_000,
      100,
    );
    const promotedAfterMs = Date.now() - killedAt;

    await waitUntil(
      'every job performed',
      async () => {
        const done = new Set(await resultsRedis.lrange('probe:done:cluster-failover', 0, -1));
        return jids.every((jid) => done.has(jid));
      },
      45_000,
      200,
    );
    // Every outcome written too: counted, and gone from the in-progress lists.
    await waitUntil(
      'every outcome written',
      async () => Number(await redis.get('stat:processed')) >= jids.length,
    ).catch(async (error: Error) => {
      const processed = await redis.get('stat:processed');
      throw new Error(
        `${error.message}: stat:processed ${processed}; the runtime's last lines:\n${tail(runtime!)}`,
      );
    });
    const identity = (await redis.smembers('processes'))[0]!;
    for (const queue of QUEUES) {
      expect(await redis.llen(`sidepunch:in-progress:{queue:${queue}}:${identity}`)).toBe(0);
      expect(await redis.llen(`queue:${queue}`)).toBe(0);
    }
    const runs = await resultsRedis.llen('probe:done:cluster-failover');
    expect(runtime.child.exitCode).toBeNull();
    console.log(
      `cluster failover: ${jids.length} jobs, replica promoted ${promotedAfterMs} ms after the kill; all performed, ` +
        `${runs - jids.length} run twice`,
    );
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });
});
