/**
 * A TCP proxy for the benchmark (issue #25) that puts a network between the workers and Redis: every chunk read
 * from either side is written to the other `delayMs` later (1 ms by default, as Sidekiq's own load test adds with
 * toxiproxy), chunks of one direction in the order read. Loopback only. Bounded: once a direction holds
 * MAX_HELD_BYTES (its queue plus what the socket has not sent yet), it stops reading that side until it drains.
 * Run on its own (`node dist/scripts/latency-proxy.mjs <target port> [delay ms]`) it prints `LISTENING <port>` and
 * serves until killed, so the benchmark runs it in a process of its own, off the measured processes' cores' path.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

const MAX_HELD_BYTES = 4 * 1024 * 1024;

export interface LatencyProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** When to write a held chunk: `setTimeout`, or a test's own timers. */
export type Schedule = (write: () => void, delayMs: number) => unknown;

export function startLatencyProxy(
  targetPort: number,
  delayMs = 1,
  schedule: Schedule = setTimeout,
): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delay(client, upstream, delayMs, schedule);
    delay(upstream, client, delayMs, schedule);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Writes what `from` sends to `to`, each chunk `delayMs` after it arrived, in order. Each chunk has its own timer,
 * set as it arrives (timers of one duration fire in the order they were set). Until session 17 a chunk's timer was
 * set when the one before it was written, for what was left of its delay; Node rounds a timer under 1 ms up to 1 ms,
 * so a chunk read just after another (the second half of a large write) waited up to 2 ms, not 1.
 */
function delay(from: Socket, to: Socket, delayMs: number, schedule: Schedule): void {
  const queue: Buffer[] = [];
  let head = 0;
  let held = 0;

  const release = () => {
    const chunk = queue[head++]!;
    held -= chunk.length;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    }
    if (!to.destroyed) to.write(chunk);
    if (from.isPaused() && held + to.writableLength < MAX_HELD_BYTES / 2) from.resume();
  };

  from.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    held += chunk.length;
    if (held + to.writableLength >= MAX_HELD_BYTES) from.pause();
    schedule(release, delayMs);
  });
  // The socket's own buffer counts too: a reader that stops reading stops the writer, not the proxy's memory.
  to.on('drain', () => {
    if (from.isPaused() && held + to.writableLength < MAX_HELD_BYTES / 2) from.resume();
  });
  from.once('end', () => {
    const finish = () => (head === queue.length ? to.end() : schedule(finish, delayMs));
    finish();
  });
}

if (process.argv[1]?.endsWith('latency-proxy.mjs')) {
  const [target, delayMs] = process.argv.slice(2);
  const proxy = await startLatencyProxy(Number(target), Number(delayMs ?? 1));
  process.stdout.write(`LISTENING ${proxy.port}\n`);
}
