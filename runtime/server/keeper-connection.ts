/**
 * The heartbeat keeper thread's Redis connection (heartbeat-keeper-thread.ts): a minimal RESP client for its one
 * job, a few pipelined EXPIREs per beat. ioredis in that thread cost about 23 MB of peak RSS per process.
 *  1. it connects with node:net, or node:tls when the endpoint has TLS options, then sends AUTH, SELECT and
 *     CLIENT SETNAME (sidepunch-heartbeat-keeper, the name its ioredis connection had);
 *  2. each call writes its commands in one write and counts the replies it waits for; they are read only to
 *     notice an error reply (each reply it gets is one line: +OK, :1, -ERR …);
 *  3. an error reply, an error, a close, or replies still missing at the next call (a silent peer) drop the
 *     socket; the next call connects again. It never throws and never logs: the event loop's own connections say
 *     when Redis is unreachable.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions as TlsOptions } from 'node:tls';

export interface KeeperAddress {
  readonly host: string;
  readonly port: number;
}

/** The credentials and database, as redis-url.ts reads them (the TLS files already read into strings). */
export interface KeeperLogin {
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  readonly tls?: TlsOptions;
}

const CLIENT_NAME = 'sidepunch-heartbeat-keeper';
const LINE_FEED = 0x0a;
const MINUS = 0x2d;

/** A command as a RESP array of bulk strings; lengths are in bytes, so keys may be any text. */
export function encodeCommand(args: readonly (string | number)[]): string {
  let resp = `*${args.length}\r\n`;
  for (const arg of args) {
    const text = String(arg);
    resp += `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  }
  return resp;
}

export class KeeperConnection {
  private socket?: Socket;
  private address?: KeeperAddress;
  /** Replies written for and not yet read. */
  private awaited = 0;

  constructor(private readonly login: KeeperLogin) {}

  /** Where Redis is; a new address (a Sentinel failover) drops the connection to the old one. */
  setAddress(address: KeeperAddress): void {
    if (this.address?.host === address.host && this.address.port === address.port) return;
    this.address = address;
    this.drop();
  }

  /** Writes the commands, connecting first when needed; does nothing until an address is known. */
  send(commands: readonly (readonly (string | number)[])[]): void {
    if (!this.address) return;
    if (this.awaited > 0) this.drop();
    let resp = '';
    if (!this.socket) {
      this.socket = this.open(this.address);
      resp += this.handshake();
    }
    for (const command of commands) resp += encodeCommand(command);
    this.awaited += commands.length;
    this.socket.write(resp);
  }

  close(): void {
    this.address = undefined;
    this.drop();
  }

  private open(address: KeeperAddress): Socket {
    const { tls } = this.login;
    const socket = tls ? connectTls({ ...tls, host: address.host, port: address.port }) : connectTcp(address);
    socket.setNoDelay(true);
    socket.unref();
    let lineStart = true;
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket) return;
      for (const byte of chunk) {
        if (lineStart && byte === MINUS) return this.drop();
        lineStart = byte === LINE_FEED;
        if (lineStart) this.awaited -= 1;
      }
    });
    // Both only ever drop the socket they belong to: a late event from an old socket leaves the new one alone.
    socket.on('error', () => socket === this.socket && this.drop());
    socket.on('close', () => socket === this.socket && this.drop());
    return socket;
  }

  /** AUTH, SELECT and the client's name, counted as awaited replies like any command. */
  private handshake(): string {
    const { username, password, db } = this.login;
    const commands: (string | number)[][] = [];
    if (password !== undefined)
      commands.push(username === undefined ? ['AUTH', password] : ['AUTH', username, password]);
    if (db !== 0) commands.push(['SELECT', db]);
    commands.push(['CLIENT', 'SETNAME', CLIENT_NAME]);
    this.awaited += commands.length;
    return commands.map(encodeCommand).join('');
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.awaited = 0;
  }
}
