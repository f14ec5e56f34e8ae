import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCounterService } from '../../fixtures/counters/src/counter-service.js';

let server: Server | undefined;

async function start(options: Parameters<typeof createCounterService>[0]): Promise<string> {
  server = createCounterService(options);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function call(url: string, method: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers['idempotency-key'] = key;
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('the counter service', () => {
  it('creates, lists, reads, increments and decrements counters', async () => {
    const url = await start({ latencyMs: 0 });
    expect(await call(`${url}/counters`, 'POST', { name: 'visits' })).toEqual({
      status: 201,
      body: { id: '1', name: 'visits', value: 0 },
    });
    await call(`${url}/counters/1/increment`, 'POST', { amount: 5 });
    expect((await call(`${url}/counters/1/decrement`, 'POST', { amount: 2 })).body.value).toBe(3);
    expect((await call(`${url}/counters/1`, 'GET')).body).toEqual({ id: '1', name: 'visits', value: 3 });
    expect((await call(`${url}/counters`, 'GET')).body).toHaveLength(1);
    expect((await call(`${url}/counters/9/increment`, 'POST', {})).status).toBe(404);
    expect((await call(`${url}/counters/1/increment`, 'POST', { amount: -1 })).status).toBe(422);
  });

  it('applies a change once per Idempotency-Key and answers a repeat as the first time', async () => {
    const url = await start({ latencyMs: 0 });
    await call(`${url}/counters`, 'POST', { name: 'once' });
    const first = await call(`${url}/counters/1/increment`, 'POST', { amount: 1 }, 'job-1');
    const again = await call(`${url}/counters/1/increment`, 'POST', { amount: 1 }, 'job-1');
    await call(`${url}/counters/1/increment`, 'POST', { amount: 1 }, 'job-2');
    expect(first.body.value).toBe(1);
    expect(again.body.value).toBe(1);
    expect((await call(`${url}/counters/1`, 'GET')).body.value).toBe(2);
  });

  it('fails the configured share of calls with 500, changing nothing', async () => {
    const url = await start({ latencyMs: 0, failRate: 1 });
    expect((await call(`${url}/counters`, 'POST', { name: 'x' })).status).toBe(500);
  });
});
