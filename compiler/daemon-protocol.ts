/**
 * What the build daemon's client and server share: where a project's daemon listens and logs (one per user and
 * resolved tsconfig, named by a hash in the temp directory), who it is (sidepunch's version and a fingerprint of
 * sidepunch-gen's files, so a rebuild or an upgrade replaces it), and the messages: one JSON object a line.
 *  - the server speaks first: `{ hello: identity, pid }`;
 *  - the client asks `{ run: RunRequest }` or `{ stop: true }`;
 *  - the server streams `{ out }` and `{ err }` texts, then `{ exit: code }`; or `{ stopped: true }`.
 * Imports nothing heavy: the client loads it before TypeScript would be.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { sidepunchVersion } from '../runtime/core/version.js';
import { generatorFingerprint } from './cache.js';

export interface DaemonPlace {
  readonly socket: string;
  readonly log: string;
}

export interface RunRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly color: boolean;
  /** Time the client spent before sending, so printed times cover the whole run. */
  readonly elapsedMs: number;
  /** SIDEPUNCH_GEN_TIMINGS was set: the daemon prints the run's phases to its log. */
  readonly timings: boolean;
}

export type ClientMessage = { readonly run: RunRequest } | { readonly stop: true };

export type ServerMessage =
  | { readonly hello: string; readonly pid: number }
  | { readonly out: string }
  | { readonly err: string }
  | { readonly exit: number }
  | { readonly stopped: true };

export function daemonPlace(tsconfig: string): DaemonPlace {
  const hash = createHash('sha1')
    .update(`${uid()}\0${path.resolve(tsconfig)}`)
    .digest('hex')
    .slice(0, 16);
  const base = path.join(tmpdir(), `sidepunch-gen-${hash}`);
  return { socket: `${base}.sock`, log: `${base}.log` };
}

export function daemonIdentity(): string {
  return `${sidepunchVersion()} ${generatorFingerprint()}`;
}

export function send(socket: Socket, message: ClientMessage | ServerMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

/** Calls `onMessage` with each whole line's message, in order. */
export function readMessages<T>(socket: Socket, onMessage: (message: T) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let end = buffered.indexOf('\n');
    while (end >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.trim() !== '') {
        try {
          onMessage(JSON.parse(line) as T);
        } catch {
          socket.destroy(); // not our protocol
          return;
        }
      }
      end = buffered.indexOf('\n');
    }
  });
}

function uid(): string {
  try {
    return String(userInfo().uid);
  } catch {
    return 'user';
  }
}
