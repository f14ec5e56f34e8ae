/**
 * Sentinel failover under load: a primary, a replica and three Sentinels; 20,000 jobs pushed through the client in
 * Sentinel mode while `sidepunch-run` drains them; the primary is SIGKILLed mid-drain. The runtime must follow the
 * promoted replica by itself and perform every job whose push was acknowledged (and confirmed replicated by
 * `WAIT 1`) at least once. The probe worker records performed jids on a separate Redis that no fault touches.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client } from '../../runtime/index.js';
import { openRedis, type RedisConnection } from '../../runtime/redis/redis-connection.js';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { requireRedisSentinel } from '../support/required-tool.js';
import { PROBE_REGISTRY, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';
import { type SentinelGroup, startSentinelGroup } from '../support/sentinel-group.js';

const JOBS = 20_000;
/** The runtime and the pusher connect as an ACL user; the password must never be printed. */
const PASSWORD = 'failover-Pa55';
const BATCH = 250;
/** Pushes are paced (about 5,000 jobs/s) so that some are under way when the primary dies. */
const BATCH_EVERY_MS = 50;

let group: SentinelGroup;
let results: RedisServer;
let resultsRedis: Redis;
let runtime: RuntimeProcess | undefined;

beforeAll(async () => {
  [group, results] = await Promise.all([
    startSentinelGroup({ user: { name: 'alice', password: PASSWORD } }),
    startRedisServer(),
  ]);
  resultsRedis = results.connect();
});
afterAll(async () => {
  await runtime?.stop('SIGKILL');
  await group?.stop();
  await destroyRedisServer(results);
});

interface Batch {
  readonly jids: readonly string[];
  /** `WAIT 1` confirmed that a replica has it. */
  readonly replicated: boolean;
  /** Pushed after the primary was killed (to the promoted replica, which has no replica of its own). */
  readonly afterKill: boolean;
}

/** Pushes paced batches until JOBS were attempted; records each acknowledged batch and counts rejected ones. */
async function pushAll(
  connection: RedisConnection,
  batches: Batch[],
  state: { killed: boolean; rejected: number },
) {
  const client = new Client({ redis: connection });
  for (let attempted = 0; attempted < JOBS; attempted += BATCH) {
    const paced = new Promise((resolve) => setTimeout(resolve, BATCH_EVERY_MS));
    const afterKill = state.killed;
    try {
      const jids = (await client.pushBulk({
        class: 'Probe',
        args: Array.from({ length: BATCH }, () => ['slow', 5, 'failover']),
      })) as string[];
      const replicas = (await connection.call('WAIT', '1', '200')) as number;
      batches.push({ jids, replicated: replicas >= 1, afterKill });
    } catch {
      state.rejected += BATCH;
    }
    await paced;
  }
}

const watchers = new Map<RedisServer, Redis>();

/** The keeper thread's connection, logged in as alice. */
async function keeperConnected(server: RedisServer): Promise<boolean> {
  if (!watchers.has(server)) watchers.set(server, server.connect());
  const clients = (await watchers.get(server)!.client('LIST')) as string;
  return clients
    .split('\n')
    .some((line) => line.includes('name=sidepunch-heartbeat-keeper ') && line.includes('user=alice'));
}

const count = (batches: readonly Batch[]) => batches.reduce((sum, batch) => sum + batch.jids.length, 0);

requireRedisSentinel().describe('Sentinel failover under load', () => {
  it('the primary is SIGKILLed mid-drain: the runtime follows the new primary and every acknowledged job runs', async () => {
    expect(await group.primaryPort()).toBe(group.primary.port);
    const pusher = openRedis(group.url, { role: 'pusher', maxRetriesPerRequest: 2 });
    const batches: Batch[] = [];
    const state = { killed: false, rejected: 0 };
    const pushing = pushAll(pusher, batches, state);
    runtime = startRuntime(
      group.url,
      ['-c', '20', '--heartbeat', '1', '--process-ttl', '3', PROBE_REGISTRY],
      {
        REDIS_URL: results.url,
      },
    );
    await waitUntil('half the jobs pushed', () => count(batches) >= JOBS / 2);
    await waitUntil('the heartbeat keeper on the primary', () => keeperConnected(group.primary));
    const performedBeforeKill = await resultsRedis.llen('probe:done:failover');
    const batchesBeforeKill = batches.length;
    const killedAt = Date.now();
    await group.primary.kill();
    state.killed = true;

    await waitUntil(
      'the Sentinels to promote the replica',
      async () => (await group.primaryPort()) === group.replica.port,
    );
    const promotedAfterMs = Date.now() - killedAt;
    await runtime.waitForLine(/INFO: fetch: connected to Redis at redis\+sentinel:\/\/.* again/);
    // Told the new primary's address by the event loop: the keeper thread cannot ask the Sentinels itself.
    await waitUntil('the heartbeat keeper on the new primary', () => keeperConnected(group.replica));
    await pushing;
    pusher.disconnect();

    // What must run: every push a replica confirmed before the kill, and every push the new primary acknowledged.
    const mustRun = batches
      .filter((batch) => batch.replicated || batch.afterKill)
      .flatMap((batch) => batch.jids);
    const performed = async () => new Set(await resultsRedis.lrange('probe:done:failover', 0, -1));
    await waitUntil(
      'every acknowledged job performed',
      async () => {
        const done = await performed();
        return mustRun.every((jid) => done.has(jid));
      },
      40_000,
      200,
    );
    const done = await performed();
    const unconfirmed = batches
      .filter((batch) => !batch.replicated && !batch.afterKill)
      .flatMap((b) => b.jids);
    const runs = await resultsRedis.llen('probe:done:failover');
    expect(runtime.child.exitCode).toBeNull();
    const clients = (await group.replica.connect().client('LIST')) as string;
    expect(clients.split('\n').find((line) => line.includes('name=sidepunch-fetch '))).toContain(
      'user=alice',
    );
    expect(runtime.output()).toContain('redis+sentinel://alice:***@127.0.0.1:');
    expect(runtime.output()).not.toContain(PASSWORD);
    console.log(
      `sentinel failover: ${count(batches.slice(0, batchesBeforeKill))} pushes acknowledged and ` +
        `${performedBeforeKill} jobs performed before the kill; ${count(batches)} acknowledged in all, ` +
        `${state.rejected} rejected during the failover; replica promoted ${promotedAfterMs} ms after the kill; ` +
        `${mustRun.length} acknowledged and replicated (or pushed after the failover): all performed, ` +
        `${runs - done.size} run twice; ${unconfirmed.length} acknowledged before the kill without a replica's ` +
        `confirmation, ${unconfirmed.filter((jid) => !done.has(jid)).length} of them lost`,
    );
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });
});
