/**
 * The harness of the feature benches (batches.ts, workflows.ts): a private redis-server, a client, and one
 * `sidepunch-run -c 20 --log-level warn -q work <registry>` on it, ready once its process is registered. Jobs are
 * pushed to `held` and renamed to `work`, so a push is measured alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Client } from 'sidepunch';
import { startRedisServer } from '../scripts/redis-server.js';

type RedisServer = Awaited<ReturnType<typeof startRedisServer>>;

export interface FeatureRuntime {
  readonly server: RedisServer;
  readonly redis: ReturnType<RedisServer['connect']>;
  readonly client: Client;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startFeatureRuntime(root: string, registry: string): Promise<FeatureRuntime> {
  const server = await startRedisServer();
  const redis = server.connect();
  const client = new Client({ redis: server.url });
  const child = spawn(
    `${root}bin/sidepunch-run.js`,
    ['--redis', server.url, '-c', '20', '--log-level', 'warn', '-q', 'work', `${root}${registry}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const stop = async () => {
    await client.close();
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once('exit', resolve));
    }
    redis.disconnect();
    await server.stop();
  };
  try {
    while ((await redis.scard('processes')) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, redis, client, child, stop };
}
