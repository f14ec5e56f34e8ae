/**
 * The benchmark's latency proxy (bench/latency-proxy.ts) stands for a network: every chunk arrives at least the
 * delay later, in order, both ways, and a chunk read just after another waits its own delay, not more.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type LatencyProxy, type Schedule, startLatencyProxy } from '../../bench/latency-proxy.js';

let echo: Server | undefined;
let proxy: LatencyProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await new Promise((resolve) => (echo ? echo.close(resolve) : resolve(undefined)));
});

/** A TCP server that writes back what it reads: a round trip crosses the proxy both ways. */
async function startEcho(): Promise<number> {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo!.listen(0, '127.0.0.1', resolve));
  const address = echo.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
  });
}

describe('the latency proxy', () => {
  it('delays each round trip by at least twice the delay and keeps every byte in order', async () => {
    proxy = await startLatencyProxy(await startEcho(), 5);
    const socket = await open(proxy.port);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const started = performance.now();
    socket.write('first;');
    await expect.poll(() => received).toBe('first;');
    expect(performance.now() - started).toBeGreaterThanOrEqual(10);
    const expected = Array.from({ length: 200 }, (_, i) => `${i};`).join('');
    for (let i = 0; i < 200; i++) socket.write(`${i};`);
    await expect.poll(() => received).toBe(`first;${expected}`);
    socket.destroy();
  });

  it('holds each chunk for the delay from its own arrival, also when the one before still waits', async () => {
    // The proxy's timers, fired by hand: what each chunk waits is what the proxy asked for as it arrived.
    const timers: { write: () => void; delayMs: number }[] = [];
    const schedule: Schedule = (write, delayMs) => timers.push({ write, delayMs });
    proxy = await startLatencyProxy(await startEcho(), 1, schedule);
    const socket = await open(proxy.port);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.write('first;');
    await expect.poll(() => timers.length).toBe(1);
    socket.write('second;');
    // Before, the second chunk got no timer until the first was written, then one for what was left of its delay,
    // which Node rounds up to a whole millisecond.
    await expect.poll(() => timers.length).toBe(2);
    expect(timers.map((timer) => timer.delayMs)).toEqual([1, 1]);
    timers[0]!.write();
    // The echo's reply to the first chunk comes back through the proxy: a third timer, the other way.
    await expect.poll(() => timers.length).toBe(3);
    timers[2]!.write();
    await expect.poll(() => received).toBe('first;');
    timers[1]!.write();
    await expect.poll(() => timers.length).toBe(4);
    timers[3]!.write();
    await expect.poll(() => received).toBe('first;second;');
    socket.destroy();
  });
});
