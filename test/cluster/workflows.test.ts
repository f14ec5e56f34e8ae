/**
 * Workflows on a real local Redis Cluster (three primaries, no replicas) are refused in one line, as batches are
 * (docs/workflows.md#limits): a workflow's keys are built inside its scripts, which a cluster cannot route.
 */
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../runtime/client/client.js';
import { type RedisCluster, startRedisCluster } from '../../scripts/redis-cluster.js';

let cluster: RedisCluster;
let redis: Cluster;
let client: Client;

beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3, replicas: 0 });
  redis = cluster.connect();
  client = new Client({ redis: cluster.url });
});
afterAll(async () => {
  await client?.close();
  redis?.disconnect();
  await cluster?.stop();
});

describe('workflows on a Redis Cluster', () => {
  it('pushing one throws FlowError and writes nothing', async () => {
    const leaf = { className: 'Fetch', options: {}, args: ['https://a'], children: [] };
    await expect(
      client.pushFlow({ className: 'Summarize', options: {}, args: [], children: [leaf] }),
    ).rejects.toThrow('workflows are not supported on a Redis Cluster yet');
    const keys = await Promise.all(redis.nodes('master').map((node) => node.keys('*')));
    expect(keys.flat()).toEqual([]);
  });
});
