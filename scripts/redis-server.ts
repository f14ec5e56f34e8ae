/**
 * Starts a private redis-server on a free port, for tests, the demo and benchmarks (never a mock of Redis).
 * Fails with one clear line when the binary is missing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** A fresh connection to this server (closed by `stop`). */
  connect(): Redis;
  /** Stops the server (SHUTDOWN, which writes the append-only file when persistence is on). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Kills it with SIGKILL: no chance to write anything more. */
  kill(): Promise<void>;
}

export interface RedisServerOptions {
  /** Keep data across restarts (appendonly, fsync always). */
  persistent?: boolean;
  /** More redis-server arguments (TLS ports, ACL users, replication). */
  args?: readonly string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function ensureBinary(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      'redis-server is not on PATH: install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL',
    );
  }
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  ensureBinary();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'sidepunch-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
  ];
  if (options.persistent) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');
  args.push(...(options.args ?? []));
  const connections: Redis[] = [];
  let child: ChildProcess | undefined;

  /** Closes our connections, signals the server and waits for it to exit. */
  const terminate = async (signal: NodeJS.Signals) => {
    for (const redis of connections.splice(0)) redis.disconnect();
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };

  const launch = async () => {
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (output.includes('Ready to accept connections')) resolve();
      };
      child!.stdout?.on('data', onData);
      child!.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`)),
      );
    });
  };

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    dir,
    connect() {
      const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null, lazyConnect: false });
      redis.on('error', () => {});
      connections.push(redis);
      return redis;
    },
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    async restart() {
      await server.stop();
      await launch();
    },
  };
  await launch();
  return server;
}

/** Stops the server and removes its data directory. */
export async function destroyRedisServer(server: RedisServer | undefined): Promise<void> {
  if (!server) return;
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}
