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

export function startLatencyProxy(targetPort: number, delayMs = 1): Promise<LatencyProxy> {
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
    delay(client, upstream, delayMs);
    delay(upstream, client, delayMs);
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

/** Writes what `from` sends to `to`, each chunk `delayMs` after it arrived, in order. */
function delay(from: Socket, to: Socket, delayMs: number): void {
  const queue: { chunk: Buffer; due: number }[] = [];
  let head = 0;
  let held = 0;
  let scheduled = false;
  const now = () => performance.now();

  const release = () => {
    scheduled = false;
    const time = now();
    while (head < queue.length && queue[head]!.due <= time) {
      const { chunk } = queue[head++]!;
      held -= chunk.length;
      if (!to.destroyed) to.write(chunk);
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else {
      scheduled = true;
      setTimeout(release, Math.max(0, queue[head]!.due - time));
    }
    if (from.isPaused() && held + to.writableLength < MAX_HELD_BYTES / 2) from.resume();
  };

  from.on('data', (chunk: Buffer) => {
    queue.push({ chunk, due: now() + delayMs });
    held += chunk.length;
    if (held + to.writableLength >= MAX_HELD_BYTES) from.pause();
    if (!scheduled) {
      scheduled = true;
      setTimeout(release, delayMs);
    }
  });
  // The socket's own buffer counts too: a reader that stops reading stops the writer, not the proxy's memory.
  to.on('drain', () => {
    if (from.isPaused() && held + to.writableLength < MAX_HELD_BYTES / 2) from.resume();
  });
  from.once('end', () => {
    const finish = () => (head === queue.length ? to.end() : setTimeout(finish, delayMs));
    finish();
  });
}

if (process.argv[1]?.endsWith('latency-proxy.mjs')) {
  const [target, delayMs] = process.argv.slice(2);
  const proxy = await startLatencyProxy(Number(target), Number(delayMs ?? 1));
  process.stdout.write(`LISTENING ${proxy.port}\n`);
}
