/** The heartbeat keeper thread's own RESP client: what it writes, and how it comes back after losing Redis. */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeCommand, KeeperConnection } from '../../runtime/server/keeper-connection.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const KEY = 'tâches:ключ:work';

describe('encodeCommand', () => {
  it('writes an array of bulk strings whose lengths count bytes, not characters', () => {
    expect(encodeCommand(['EXPIRE', KEY, 60])).toBe(`*3\r\n$6\r\nEXPIRE\r\n$21\r\n${KEY}\r\n$2\r\n60\r\n`);
    expect(encodeCommand(['AUTH', 'pässwörd'])).toBe('*2\r\n$4\r\nAUTH\r\n$10\r\npässwörd\r\n');
    expect(encodeCommand([''])).toBe('*1\r\n$0\r\n\r\n');
  });
});

describe('the keeper connection', () => {
  const address = () => ({ host: '127.0.0.1', port: fixture.server.port });

  it('extends the TTL of keys with non-ASCII names, several commands in one write', async () => {
    await fixture.redis.set(KEY, 'x', 'EX', 5);
    await fixture.redis.set('plain', 'x', 'EX', 5);
    const connection = new KeeperConnection({ db: 0 });
    connection.setAddress(address());
    connection.send([
      ['EXPIRE', KEY, 600],
      ['EXPIRE', 'plain', 600],
    ]);
    await waitUntil('both TTLs extended', async () => (await fixture.redis.ttl(KEY)) > 5);
    expect(await fixture.redis.ttl('plain')).toBeGreaterThan(5);
    connection.close();
  });

  it('connects again at the next send after Redis restarted, without throwing', async () => {
    const connection = new KeeperConnection({ db: 0 });
    connection.setAddress(address());
    connection.send([['EXPIRE', KEY, 600]]);
    await fixture.server.restart();
    await fixture.redis.set(KEY, 'x', 'EX', 5);
    await waitUntil('the TTL is extended after the restart', async () => {
      connection.send([['EXPIRE', KEY, 600]]);
      return (await fixture.redis.ttl(KEY)) > 5;
    });
    connection.close();
  });

  it('drops a connection whose replies never came and opens another at the next send', async () => {
    const accepted: Socket[] = [];
    const silent = createServer((socket) => accepted.push(socket.resume()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const connection = new KeeperConnection({ db: 0 });
    connection.setAddress({ host: '127.0.0.1', port });
    connection.send([['EXPIRE', KEY, 600]]);
    await waitUntil('connected', async () => accepted.length === 1);
    connection.send([['EXPIRE', KEY, 600]]);
    await waitUntil('connected again', async () => accepted.length === 2);
    await waitUntil('the first connection closed', async () => accepted[0]!.closed);
    connection.close();
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('drops the connection on an error reply (a wrong password) and tries again at the next send', async () => {
    const stat = /total_connections_received:(\d+)/;
    const received = async () => Number(stat.exec(await fixture.redis.info('stats'))![1]);
    const open = async () => ((await fixture.redis.client('LIST')) as string).trim().split('\n').length;
    const [receivedBefore, openBefore] = [await received(), await open()];
    const connection = new KeeperConnection({ username: 'nobody', password: 'wrong', db: 0 });
    connection.setAddress(address());
    connection.send([['EXPIRE', KEY, 600]]);
    await waitUntil('refused and closed', async () => {
      return (await received()) === receivedBefore + 1 && (await open()) === openBefore;
    });
    connection.send([['EXPIRE', KEY, 600]]);
    await waitUntil('tried again', async () => (await received()) === receivedBefore + 2);
    connection.close();
  });
});
