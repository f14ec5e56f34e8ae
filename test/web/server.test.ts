/**
 * The dashboard's HTTP behaviour seen from a plain HTTP client: security headers, the token login, Sidekiq's
 * `/stats` shape, clear errors for unknown pages and jobs, and a one-line 503 when Redis is down.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebServer, type WebServer } from '../../runtime/index.js';
import type { StatsBody } from '../../runtime/web/pages/stats.js';
import { freePort } from '../../scripts/redis-server.js';
import { useRedis } from '../support/redis-fixture.js';

const redis = useRedis();
const servers: WebServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(options: Parameters<typeof startWebServer>[0] = {}): Promise<WebServer> {
  const server = await startWebServer({ redis: redis.server.url, port: 0, ...options });
  servers.push(server);
  return server;
}

describe('the dashboard server', () => {
  it("answers /stats in Sidekiq's shape, with a strict Content-Security-Policy on every page", async () => {
    await redis.client.push({ class: 'Mailer', args: [1] });
    await redis.client.push({ class: 'Mailer', args: [2], queue: 'low' });
    await redis.client.push({ class: 'Mailer', args: [3], in: 60 });
    const web = await serve();
    const stats = (await (await fetch(`${web.url}/stats`)).json()) as StatsBody;
    expect(stats.sidekiq).toEqual({
      processed: 0,
      failed: 0,
      busy: 0,
      processes: 0,
      enqueued: 2,
      scheduled: 1,
      retries: 0,
      dead: 0,
      default_latency: expect.any(Number),
    });
    expect(stats.redis.redis_version).toMatch(/^\d+\.\d+/);
    expect(stats.server_utc_time).toMatch(/^\d\d:\d\d:\d\d UTC$/);
    expect(await (await fetch(`${web.url}/stats/queues`)).json()).toEqual({ default: 1, low: 1 });

    const home = await fetch(`${web.url}/`);
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    expect(home.headers.get('set-cookie')).toMatch(
      /^sidepunch_csrf=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/,
    );
  });

  it('says what is missing: an unknown page, a job that has left, a bad action', async () => {
    const web = await serve();
    const missing = await fetch(`${web.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no page at /nowhere');
    const gone = await fetch(`${web.url}/retries/1764294000.5-0123456789abcdef01234567`);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('this job is no longer in Retries');
  });

  it('lets a browser in with ?token= once, then by cookie; refuses everyone else', async () => {
    const token = 'dashboard-token-0123456789';
    const web = await serve({ auth: { token } });
    expect((await fetch(`${web.url}/stats`)).status).toBe(401);
    expect((await fetch(`${web.url}/stats?token=wrong-token-0123456789`)).status).toBe(401);
    const login = await fetch(`${web.url}/queues?token=${token}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/queues');
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${web.url}/queues`, { headers: { cookie } })).status).toBe(200);
  });

  it('on loopback, refuses requests whose Host is another name (DNS rebinding)', async () => {
    const web = await serve();
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${web.url}/stats`, { headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        request.on('error', reject).end();
      });
    expect(await status('evil.example:9292')).toBe(403);
    expect(await status(`127.0.0.1:${web.port}`)).toBe(200);
    expect(await status(`localhost:${web.port}`)).toBe(200);
  });

  it('answers 503 with one line when Redis is down', async () => {
    const web = await serve({ redis: `redis://127.0.0.1:${await freePort()}/0` });
    const down = await fetch(`${web.url}/retries`);
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(text).toMatch(/Redis is unreachable at redis:\/\/127\.0\.0\.1:\d+\/0: [^\n<]+</);
  });

  it('recovers by itself when Redis comes back', async () => {
    const web = await serve();
    expect((await fetch(`${web.url}/queues`)).status).toBe(200);
    await redis.server.stop();
    expect((await fetch(`${web.url}/queues`)).status).toBe(503);
    await redis.server.restart();
    await expect.poll(async () => (await fetch(`${web.url}/queues`)).status, { timeout: 10_000 }).toBe(200);
  });
});
