/**
 * The build daemon (`sidepunch-gen --daemon`), one per user and tsconfig, started by daemon-client.ts:
 *  1. listen on the project's Unix socket (owner-only); when a live daemon already holds it, leave it that one;
 *     tell the starting client it is ready;
 *  2. serve one request at a time: run the CLI's own `main` with the client's command line, working directory
 *     and colour, its output streamed back, and its generation done by a kept project per configuration
 *     (daemon-project.ts), so what is written and recorded is what an in-process run writes and records;
 *  3. exit after SIDEPUNCH_GEN_DAEMON_IDLE seconds without a request (30 minutes by default), on `{ stop }`
 *     (`--stop-daemon`, or a client of another build replacing it), on SIGTERM, or once its socket file is
 *     removed or replaced, or its tsconfig removed (a deleted project).
 * Its own lines (start, each run, exit) go to stdout, which the client pointed at the log file.
 */
import { chmodSync, existsSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CliIo } from './cli.js';
import type { GenConfig } from './config.js';
import type { DaemonProject } from './daemon-project.js';
import {
  type ClientMessage,
  daemonIdentity,
  type RunRequest,
  readMessages,
  send,
} from './daemon-protocol.js';

const DEFAULT_IDLE_SECONDS = 30 * 60;
/** How many configurations (flags or package.json settings) of the project it keeps loaded at once. */
const KEPT_CONFIGS = 3;
const SOCKET_CHECK_MS = 1000;

export function serveDaemon(socketPath: string, tsconfig: string): void {
  const identity = daemonIdentity();
  const idleMs = idleSeconds() * 1000;
  const projects = new Map<string, DaemonProject>();
  let queue: Promise<void> = Promise.resolve();
  let busy = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let inode: number | undefined;
  let stopping = false;
  const log = (text: string) => process.stdout.write(`[${new Date().toISOString()}] ${text}\n`);

  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${reason}`);
    clearTimeout(idleTimer);
    clearInterval(socketCheck);
    server.close();
    if (inode !== undefined && statInode(socketPath) === inode) {
      try {
        unlinkSync(socketPath);
      } catch {
        // already gone
      }
    }
    await Promise.allSettled([...projects.values()].map((project) => project.dispose()));
    process.exit(0);
  };

  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (busy === 0) void shutdown(`idle for ${idleMs / 1000} s`);
    }, idleMs);
  };

  const generateKept = async (config: GenConfig, options: { readonly acceptBreak: readonly string[] }) => {
    const { DaemonProject } = await import('./daemon-project.js');
    const key = JSON.stringify({ ...config, daemon: undefined });
    let project = projects.get(key);
    if (project) projects.delete(key);
    else project = new DaemonProject(config);
    projects.set(key, project); // most recently used last
    for (const [oldKey, old] of projects) {
      if (projects.size <= KEPT_CONFIGS) break;
      projects.delete(oldKey);
      void old.dispose();
    }
    return project.generate(options.acceptBreak);
  };

  const serve = async (request: RunRequest, socket: Socket) => {
    const started = performance.now();
    if (request.timings) process.env.SIDEPUNCH_GEN_TIMINGS = '1';
    else delete process.env.SIDEPUNCH_GEN_TIMINGS;
    const io: CliIo = {
      cwd: request.cwd,
      color: request.color,
      stdout: (text) => send(socket, { out: text }),
      stderr: (text) => send(socket, { err: text }),
    };
    let code: number;
    try {
      const { main } = await import('./cli.js');
      code = await main(request.argv, io, { generate: generateKept, elapsedMs: request.elapsedMs });
    } catch (error) {
      io.stderr(`sidepunch-gen: internal error: ${(error as Error)?.stack ?? error}\n`);
      code = 70;
    }
    send(socket, { exit: code });
    socket.end();
    log(
      `ran ${JSON.stringify(request.argv)} in ${request.cwd}: exit ${code}, ${(performance.now() - started).toFixed(0)} ms`,
    );
  };

  const server = createServer((socket) => {
    send(socket, { hello: identity, pid: process.pid });
    socket.on('error', () => {}); // a client that went away: its run still finishes
    readMessages<ClientMessage>(socket, (message) => {
      if ('stop' in message) {
        void shutdown('asked to stop').finally(() => socket.end());
        return;
      }
      if (!('run' in message)) return;
      busy++;
      queue = queue
        .then(() => serve(message.run, socket))
        .finally(() => {
          busy--;
          armIdle();
        });
    });
  });

  const socketCheck = setInterval(() => {
    if (statInode(socketPath) !== inode) void shutdown('its socket file was removed or replaced');
    else if (!existsSync(tsconfig)) void shutdown(`${tsconfig} was removed`);
  }, SOCKET_CHECK_MS);
  socketCheck.unref();

  const listen = (retried: boolean) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE' || retried) {
        log(`cannot listen on ${socketPath}: ${error.message}`);
        process.exit(1);
      }
      // Another daemon's socket: leave a live one be; replace a dead one.
      const probe = connect(socketPath);
      probe.once('connect', () => {
        probe.destroy();
        log('another daemon already serves this project');
        if (process.send) process.send({ ready: true }, () => process.exit(0));
        else process.exit(0);
      });
      probe.once('error', () => {
        try {
          unlinkSync(socketPath);
        } catch {
          // removed meanwhile
        }
        listen(true);
      });
    });
    server.listen(socketPath, () => {
      chmodSync(socketPath, 0o600);
      inode = statInode(socketPath);
      log(`pid ${process.pid} serves ${tsconfig} on ${socketPath} (idle timeout ${idleMs / 1000} s)`);
      armIdle();
      process.send?.({ ready: true });
      // Load TypeScript now rather than in the first request; in the queue, since two imports of one graph at
      // once can see a CommonJS package (ts-morph) half loaded.
      queue = queue
        .then(() => import('./cli.js'))
        .then(() => import('./daemon-project.js'))
        .then(
          () => {},
          (error) => {
            log(`cannot load sidepunch-gen: ${error}`);
          },
        );
    });
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  listen(false);
}

function idleSeconds(): number {
  const text = process.env.SIDEPUNCH_GEN_DAEMON_IDLE;
  const value = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_IDLE_SECONDS;
}

function statInode(file: string): number | undefined {
  try {
    return statSync(file).ino;
  } catch {
    return undefined;
  }
}
