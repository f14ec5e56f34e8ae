/** A TCP proxy on loopback that a test can cut, to simulate a network partition between a process and Redis. */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /** Drops every connection and refuses new ones for `ms`. */
  cut(ms: number): Promise<void>;
  /**
   * Stops forwarding on every open connection without closing it, as a peer that vanished without a reset (a
   * failed-over host, a dropped NAT entry); new connections work. With `matching`, only the connections whose
   * client sent that text (a connection name, say: ioredis sends it first).
   */
  freeze(matching?: string): void;
  /**
   * Closes the Redis side of the connections whose client sent `matching`, and leaves their client side open and
   * silent: Redis dropped the connection, and the client never heard (a NAT entry that expired).
   */
  severSilently(matching: string): void;
  close(): Promise<void>;
}

/** A client's connection and its connection to Redis, with the first bytes the client sent. */
interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  sent: string;
}

const SENT_KEPT = 4096;

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<Pair>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, sent: '' };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.sent.length < SENT_KEPT) pair.sent += chunk.toString('latin1');
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        pairs.delete(pair);
      });
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const matching = (text: string | undefined) =>
    [...pairs].filter((pair) => text === undefined || pair.sent.includes(text));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    freeze(text) {
      for (const { client, upstream } of matching(text)) {
        for (const socket of [client, upstream]) {
          socket.pause();
          socket.unpipe();
        }
      }
    },
    severSilently(text) {
      for (const pair of matching(text)) {
        const { client, upstream } = pair;
        client.pause();
        client.unpipe();
        upstream.unpipe();
        // Its close must not reach the client: no end, and no destroy from the shared error handler.
        upstream.removeAllListeners('error');
        upstream.on('error', () => {});
        upstream.destroy();
      }
    },
    async cut(ms) {
      refusing = true;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, ms));
      refusing = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
