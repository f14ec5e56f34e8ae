/**
 * The client side of `sidepunch-gen --daemon` (like eslint_d's or Nx's daemon): a run goes to a background server
 * that keeps this project loaded (daemon-server.ts), so it pays neither TypeScript's start-up nor a cold bundle.
 *  1. connect to the project's socket (daemon-protocol.ts); a dead socket is removed, a daemon of another build
 *     is stopped and replaced;
 *  2. with none answering, start one (detached, its output to a log file) unless nothing changed since the
 *     cached run (that answer needs no daemon);
 *  3. send the command line and print what comes back; exit with the run's code.
 * Whenever the daemon cannot be used (it cannot start, or stops mid-run), one line says so and the caller runs
 * in process. Never under CI. Loads no TypeScript.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DaemonPlace,
  daemonIdentity,
  daemonPlace,
  type RunRequest,
  readMessages,
  type ServerMessage,
  send,
} from './daemon-protocol.js';

interface Io {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const START_TIMEOUT_MS = 30_000;

/**
 * `--daemon`, SIDEPUNCH_GEN_DAEMON=1 (=0 turns it off) or `"daemon": true` in package.json; never under CI, nor on
 * Windows.
 */
export function daemonWanted(
  flags: { readonly daemon?: boolean },
  config: { readonly daemon?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return false;
  if (process.platform === 'win32') return false; // a Unix socket file; Windows would need a named pipe
  if (flags.daemon) return true;
  if (env.SIDEPUNCH_GEN_DAEMON === '1') return true;
  if (env.SIDEPUNCH_GEN_DAEMON === '0') return false;
  return config.daemon === true;
}

/**
 * The run's exit code from the project's daemon, or undefined when the caller should run in process: nothing
 * changed and no daemon runs (`fresh`), or the daemon could not be used (said in one line).
 */
export async function runThroughDaemon(
  tsconfig: string,
  request: RunRequest,
  io: Io,
  fresh: () => boolean,
): Promise<number | undefined> {
  const place = daemonPlace(tsconfig);
  let channel = await openCurrent(place);
  if (!channel) {
    if (fresh()) return undefined;
    const problem = await startDaemon(place, tsconfig);
    channel = problem === undefined ? await openCurrent(place) : undefined;
    if (!channel) {
      io.stderr(
        `sidepunch-gen: could not start the build daemon (${problem ?? 'it does not answer'}; see ${place.log}); running in process\n`,
      );
      return undefined;
    }
  }
  send(channel.socket, { run: request });
  for (;;) {
    const message = await channel.next();
    if (message === undefined) {
      io.stderr(
        `sidepunch-gen: the build daemon stopped during the run (see ${place.log}); running in process\n`,
      );
      return undefined;
    }
    if ('out' in message) io.stdout(message.out);
    else if ('err' in message) io.stderr(message.err);
    else if ('exit' in message) {
      channel.socket.end();
      return message.exit;
    }
  }
}

/** `--stop-daemon`: stops the project's daemon, if one runs. */
export async function stopDaemon(tsconfig: string, io: Io): Promise<number> {
  const place = daemonPlace(tsconfig);
  const channel = await open(place);
  const shown = path.relative(io.cwd, tsconfig) || tsconfig;
  if (!channel) {
    io.stdout(`sidepunch-gen: no build daemon runs for ${shown}\n`);
    return 0;
  }
  await stop(channel);
  io.stdout(`sidepunch-gen: stopped the build daemon of ${shown} (pid ${channel.pid})\n`);
  return 0;
}

interface Channel {
  readonly socket: Socket;
  readonly identity: string;
  readonly pid: number;
  /** The next message, or undefined once the connection closed. */
  next(): Promise<ServerMessage | undefined>;
}

/** A connection to a daemon of this very build: another build's is stopped first (and undefined returned). */
async function openCurrent(place: DaemonPlace): Promise<Channel | undefined> {
  const channel = await open(place);
  if (!channel || channel.identity === daemonIdentity()) return channel;
  await stop(channel);
  return undefined;
}

async function stop(channel: Channel): Promise<void> {
  send(channel.socket, { stop: true });
  while ((await channel.next()) !== undefined) {
    // until the daemon closes the connection, having removed its socket
  }
}

/** Connects and reads the daemon's hello; undefined when nothing listens (a dead socket file is removed). */
function open(place: DaemonPlace): Promise<Channel | undefined> {
  return new Promise((resolve) => {
    const socket = connect(place.socket);
    const queue: ServerMessage[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    let greeted = false;
    const next = async (): Promise<ServerMessage | undefined> => {
      while (queue.length === 0 && !closed) await new Promise<void>((woken) => (wake = woken));
      return queue.shift();
    };
    readMessages<ServerMessage>(socket, (message) => {
      if (!greeted && 'hello' in message) {
        greeted = true;
        resolve({ socket, identity: message.hello, pid: message.pid, next });
        return;
      }
      queue.push(message);
      wake?.();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!greeted && error.code === 'ECONNREFUSED') removeStale(place.socket);
    });
    socket.on('close', () => {
      closed = true;
      wake?.();
      if (!greeted) resolve(undefined);
    });
  });
}

function removeStale(socket: string): void {
  try {
    unlinkSync(socket);
  } catch {
    // already gone
  }
}

/** Starts a daemon; undefined once it listens (or another one won the race), else what went wrong. */
function startDaemon(place: DaemonPlace, tsconfig: string): Promise<string | undefined> {
  const entry = fileURLToPath(new URL('./daemon-entry.js', import.meta.url));
  let log: number;
  try {
    log = openSync(place.log, 'w');
  } catch (error) {
    return Promise.resolve(`cannot write ${place.log}: ${(error as Error).message}`);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, place.socket, tsconfig], {
      cwd: path.dirname(tsconfig),
      detached: true,
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    const timer = setTimeout(() => done('it did not start listening in time'), START_TIMEOUT_MS);
    const done = (problem: string | undefined) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      if (child.connected) child.disconnect();
      child.unref();
      resolve(problem);
    };
    const onExit = (code: number | null) => done(`it exited with code ${code}`);
    const onError = (error: Error) => done(error.message);
    child.once('exit', onExit);
    child.once('error', onError);
    child.once('message', () => done(undefined));
  });
}
