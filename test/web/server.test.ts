/**
 * The dashboard's HTTP behaviour seen from a plain HTTP client: security headers, the token login, Sidekiq's
 * `/stats` shape, clear errors for unknown pages and jobs, and a one-line 503 when Redis is down.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Client,
  createDashboard,
  type Dashboard,
  type DashboardOptions,
  startWebServer,
  type WebServer,
} from '../../runtime/index.js';
import type { StatsBody } from '../../runtime/web/pages/stats-json.js';
import { freePort } from '../../scripts/redis-server.js';
import {
  LOOPBACK_HOSTS,
  MALFORMED_HOSTS,
  REBINDING_HOSTS,
  statusesByHost,
  statusesThroughProxy,
} from '../support/host-header.js';
import { useRedis } from '../support/redis-fixture.js';

const redis = useRedis();
const servers: WebServer[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const close of closers.splice(0)) await close();
});

async function serve(options: Parameters<typeof startWebServer>[0] = {}): Promise<WebServer> {
  const server = await startWebServer({ redis: redis.server.url, port: 0, ...options });
  servers.push(server);
  return server;
}

/** The dashboard as an application mounts it, on this test's Redis; closed after the test. */
function mountable(options: DashboardOptions): Dashboard {
  const dashboard = createDashboard({ redis: redis.server.url, ...options });
  closers.push(() => dashboard.close());
  return dashboard;
}

/** An application's own server on a free port, answering with `listener`; closed after the test. */
async function appServer(listener: RequestListener): Promise<string> {
  const app = createServer(listener);
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => app.close(() => resolve())));
  return `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
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
    // Seconds since the oldest default job was pushed, unrounded as Sidekiq answers (a few ms here).
    expect(stats.sidekiq.default_latency).toBeGreaterThan(0);
    expect(stats.sidekiq.default_latency).toBeLessThan(60);
    expect(stats.redis.redis_version).toMatch(/^\d+\.\d+/);
    expect(stats.server_utc_time).toMatch(/^\d\d:\d\d:\d\d UTC$/);
    expect(await (await fetch(`${web.url}/stats/queues`)).json()).toEqual({ default: 1, low: 1 });
    // Sidekiq's older path for the same JSON, which monitors still poll and Sidekiq 7 still redirects.
    const old = await fetch(`${web.url}/dashboard/stats`);
    expect([old.status, old.url]).toEqual([200, `${web.url}/stats`]);
    expect(((await old.json()) as StatsBody).sidekiq.enqueued).toBe(2);

    const home = await fetch(`${web.url}/`);
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    expect(home.headers.get('set-cookie')).toMatch(
      /^sidepunch_csrf=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/,
    );
  });

  it('/stats/queues is largest first, a queue named by a number included', async () => {
    for (let i = 0; i < 3; i++) await redis.client.push({ class: 'Mailer', args: [i], queue: 'big' });
    await redis.client.push({ class: 'Mailer', args: [1], queue: '7' });
    const web = await serve();
    expect(await (await fetch(`${web.url}/stats/queues`)).text()).toBe('{"big":3,"7":1}');
  });

  it('reads the namespace it is given, and only it', async () => {
    const namespaced = new Client({ redis: redis.server.url, namespace: 'shop' });
    await namespaced.push({ class: 'Mailer', args: ['namespaced'] });
    await namespaced.close();
    await redis.client.push({ class: 'Mailer', args: ['plain'] });
    const web = await serve({ namespace: 'shop' });
    const stats = (await (await fetch(`${web.url}/stats`)).json()) as StatsBody;
    expect(stats.sidekiq.enqueued).toBe(1);
    const queue = await (await fetch(`${web.url}/queues/default`)).text();
    expect(queue).toContain('&quot;namespaced&quot;');
    expect(queue).not.toContain('&quot;plain&quot;');
    expect(queue).toContain('namespace: shop');
  });

  it('deletes a queued job by jid even when it moved away from where the page showed it, and only that job', async () => {
    const jids: string[] = [];
    for (let i = 0; i < 5; i++) jids.push((await redis.client.push({ class: 'Mailer', args: [i] }))!);
    const web = await serve();
    const page = await fetch(`${web.url}/queues/default`);
    const csrf = page.headers.get('set-cookie')!.split(';')[0]!;
    const remove = (jid: string, index: number) =>
      fetch(`${web.url}/queues/default/delete`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf },
        body: `index=${index}&jid=${jid}&authenticity_token=${csrf.split('=')[1]}`,
      });
    expect((await remove(jids[0]!, 100_000)).status).toBe(303);
    expect((await remove('f'.repeat(24), 2)).status).toBe(303);
    const left = (await redis.redis.lrange('queue:default', 0, -1)).map((job) => JSON.parse(job).jid);
    expect(left.sort()).toEqual(jids.slice(1).sort());
  });

  it('goes back to the page of the queue, or of the search, a job was deleted from', async () => {
    for (let i = 0; i < 30; i++) await redis.client.push({ class: 'Mailer', args: [`to ${i}`] });
    const web = await serve();
    for (const where of ['/queues/default?page=2', '/queues/default?text=to+1']) {
      const page = await fetch(`${web.url}${where}`);
      const csrf = page.headers.get('set-cookie')!.split(';')[0]!;
      const form = /<form method="post" action="\/queues\/default\/delete"[^>]*>(.*?)<\/form>/.exec(
        await page.text(),
      )![1]!;
      const fields = new URLSearchParams(
        [...form.matchAll(/name="(\w+)" value="([^"]*)"/g)].map(([, name, value]): [string, string] => [
          name!,
          value!.replaceAll('&amp;', '&'),
        ]),
      );
      const posted = await fetch(`${web.url}/queues/default/delete`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf },
        body: fields.toString(),
      });
      expect([where, posted.status, posted.headers.get('location')]).toEqual([where, 303, where]);
    }
    expect(await redis.redis.llen('queue:default')).toBe(28);
  });

  it("shows as many entries a page as Sidekiq's ?count= asks, and keeps it in the page links", async () => {
    for (let i = 0; i < 30; i++) await redis.client.push({ class: 'Mailer', args: [`to ${i}`] });
    for (let i = 0; i < 30; i++)
      await redis.redis.zadd('retry', 1000 + i, JSON.stringify({ class: 'M', args: [i], jid: `r${i}` }));
    const web = await serve();
    const rows = async (path: string) => {
      const text = await (await fetch(`${web.url}${path}`)).text();
      return { rows: text.match(/<tr data-jid=/g)?.length ?? 0, text };
    };
    expect((await rows('/queues/default')).rows).toBe(25);
    const ten = await rows('/queues/default?count=10');
    expect(ten.rows).toBe(10);
    expect(ten.text).toContain('href="/queues/default?count=10&amp;page=3"');
    expect((await rows('/queues/default?count=10&page=3')).rows).toBe(10);
    expect((await rows('/queues/default?count=100')).rows).toBe(30);
    expect((await rows('/queues/default?count=0')).rows).toBe(25);
    expect((await rows('/retries?count=7&page=5')).rows).toBe(2);
  });

  it("filters a set by ?substr=, Sidekiq's Web UI's raw substring of the payload, so its bookmarks keep working", async () => {
    await redis.client.push({ class: 'HardJob', args: ['a'], in: 60 });
    await redis.client.push({ class: 'EasyJob', args: ['b'], in: 60 });
    const web = await serve();
    const page = await (await fetch(`${web.url}/scheduled?substr=HardJob`)).text();
    expect(page).toContain('HardJob');
    expect(page).not.toContain('EasyJob');
    // Case-sensitive, as Sidekiq's SCAN MATCH is.
    expect(await (await fetch(`${web.url}/scheduled?substr=hardjob`)).text()).not.toContain('HardJob');
  });

  it("deletes a queued entry without a jid (not JSON, or a job without one) through the page's own form", async () => {
    const kept = (await redis.client.push({ class: 'Mailer', args: [1] }))!;
    await redis.redis.lpush('queue:default', 'not json at all', '{"class":"NoJid","args":[]}');
    const web = await serve();
    const page = await fetch(`${web.url}/queues/default`);
    const csrf = page.headers.get('set-cookie')!.split(';')[0]!;
    const markup = await page.text();
    const forms = [
      ...markup.matchAll(/name="index" value="(\d+)"><input type="hidden" name="jid" value="([^"]*)"/g),
    ];
    expect(forms).toHaveLength(3);
    for (const [, index, id] of forms.filter(([, , id]) => id !== kept)) {
      const posted = await fetch(`${web.url}/queues/default/delete`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf },
        body: new URLSearchParams({ index: index!, jid: id!, authenticity_token: csrf.split('=')[1]! }),
      });
      expect([id, posted.status]).toEqual([id, 303]);
    }
    const left = await redis.redis.lrange('queue:default', 0, -1);
    expect(left.map((job) => JSON.parse(job).jid)).toEqual([kept]);
  });

  it('shows a page whose entries hold times out of range (a score of +inf, nanoseconds, a garbled beat) instead of failing', async () => {
    const job = (jid: string, more: Record<string, unknown> = {}) =>
      JSON.stringify({ class: 'Mailer', args: [jid], queue: 'default', jid, ...more });
    await redis.redis.zadd('schedule', '+inf', job('a'.repeat(24)));
    await redis.redis.zadd(
      'retry',
      1_800_000_000,
      job('b'.repeat(24), { failed_at: 1.8e18, retry_count: 0 }),
    );
    await redis.redis.lpush('queue:default', job('c'.repeat(24), { enqueued_at: 1.8e18 }));
    await redis.redis.sadd('processes', 'host:1:abc');
    await redis.redis.hset('host:1:abc', {
      info: JSON.stringify({ hostname: 'host', pid: 1, started_at: 1.8e18, queues: ['default'] }),
      beat: 'garbled',
      busy: '1',
    });
    await redis.redis.hset(
      'host:1:abc:work',
      't1',
      JSON.stringify({ queue: 'default', payload: job('d'.repeat(24)), run_at: 'soon' }),
    );
    const web = await serve();
    const retry = /href="(\/retries\/[^"]+)"/.exec(await (await fetch(`${web.url}/retries`)).text())![1]!;
    for (const path of ['/scheduled', '/retries', retry, '/queues/default', '/busy']) {
      const page = await fetch(`${web.url}${path}`);
      expect([path, page.status]).toEqual([path, 200]);
    }
  });

  it('shows a page whose entries hold arguments nested too deep for JSON.stringify instead of failing', async () => {
    const depth = 20_000;
    const job = (jid: string) =>
      `{"class":"Nested","args":[${'['.repeat(depth)}"x"${']'.repeat(depth)}],"jid":"${jid}","queue":"default"}`;
    await redis.redis.lpush('queue:default', job('a'.repeat(24)));
    await redis.redis.sadd('queues', 'default');
    await redis.redis.zadd('retry', 1_800_000_000, job('b'.repeat(24)));
    await redis.redis.zadd('dead', 1_800_000_000, job('c'.repeat(24)));
    const web = await serve();
    const retry = /href="(\/retries\/[^"]+)"/.exec(await (await fetch(`${web.url}/retries`)).text())![1]!;
    for (const path of ['/queues/default', '/retries', '/morgue', retry]) {
      const page = await fetch(`${web.url}${path}`);
      expect([path, page.status]).toEqual([path, 200]);
      expect(await page.text()).toContain('Nested');
    }
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

  it('asks before deleting a queue in words that count its jobs right', async () => {
    await redis.client.push({ class: 'Mailer', args: [1], queue: 'one' });
    for (let i = 0; i < 2; i++) await redis.client.push({ class: 'Mailer', args: [i], queue: 'two' });
    const web = await serve();
    const asked = async (path: string) =>
      [...(await (await fetch(`${web.url}${path}`)).text()).matchAll(/data-confirm="([^"]*)"/g)].map(
        (match) => match[1],
      );
    expect(await asked('/queues')).toEqual([
      'Delete the queue one and its 1 job?',
      'Delete the queue two and its 2 jobs?',
    ]);
    expect(await asked('/queues/one')).toEqual(['Delete the queue one and its 1 job?']);
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

  it('on loopback, serves only Hosts that name this machine: a rebound name (127.0.0.1.evil.example) or a malformed Host is refused', async () => {
    const web = await serve();
    const refused = [...REBINDING_HOSTS, ...MALFORMED_HOSTS, undefined];
    expect(await statusesByHost(web.url, refused)).toEqual(
      Object.fromEntries(refused.map((host) => [host ?? '(none)', 403])),
    );
    expect(await statusesByHost(web.url, LOOPBACK_HOSTS)).toEqual(
      Object.fromEntries(LOOPBACK_HOSTS.map((host) => [host, 200])),
    );
  });

  it('behind a reverse proxy at the publicUrl it is given, serves pages and actions whether the proxy passes the Host through or not', async () => {
    const site = 'https://jobs.example.com';
    const plain = await serve({ basePath: '/sidekiq' });
    expect(await statusesThroughProxy(plain.url, site, 'public')).toEqual({ get: 403, post: 403 });
    expect(await statusesThroughProxy(plain.url, site, 'upstream')).toEqual({ get: 200, post: 403 });

    const proxied = await serve({ publicUrl: `${site}/sidekiq` });
    expect(proxied.url).toMatch(/\/sidekiq$/);
    expect(await statusesThroughProxy(proxied.url, site, 'public')).toEqual({ get: 200, post: 303 });
    expect(await statusesThroughProxy(proxied.url, site, 'upstream')).toEqual({ get: 200, post: 303 });
    // Any other site is still refused: its name as the Host, its pages (another scheme or port too) as the Origin.
    for (const other of ['https://evil.example', 'https://jobs.example.com:8443']) {
      expect([other, await statusesThroughProxy(proxied.url, other, 'public')]).toEqual([
        other,
        { get: 403, post: 403 },
      ]);
    }
    for (const other of [
      'https://evil.example',
      'http://jobs.example.com',
      'https://jobs.example.com:8443',
    ]) {
      expect([other, (await statusesThroughProxy(proxied.url, other, 'upstream')).post]).toEqual([
        other,
        403,
      ]);
    }
  });

  it('refuses a return address that is not a path of the listing (CRLF, another site) with a 400, changing nothing', async () => {
    await redis.client.push({ class: 'Mailer', args: ['kept <x> & y'], in: 60 });
    const web = await serve();
    // The page's own form names where it was: a search for text with a space, quote and ampersand in it.
    const listing = await fetch(`${web.url}/scheduled?text=${encodeURIComponent('kept <x> & y')}&page=1`);
    const csrf = listing.headers.get('set-cookie')!.split(';')[0]!;
    const markup = await listing.text();
    const key = /name="key" value="([^"]+)"/.exec(markup)![1]!;
    const here = /name="return" value="([^"]+)"/.exec(markup)![1]!.replaceAll('&amp;', '&');
    const deleteReturning = (back: string) =>
      fetch(`${web.url}/scheduled`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf },
        body: new URLSearchParams({
          action: 'delete',
          key,
          return: back,
          authenticity_token: csrf.split('=')[1]!,
        }).toString(),
      });
    for (const back of [
      '/scheduled\r\nSet-Cookie: sidepunch_token=forged',
      '/scheduled?page=1\nx',
      '/scheduled\u0000',
      '//evil.example/scheduled',
      '/\\evil.example',
      '/scheduled/..\\..\\evil',
      'https://evil.example/scheduled',
      'javascript:alert(1)',
    ]) {
      const refused = await deleteReturning(back);
      expect([back, refused.status]).toEqual([back, 400]);
      expect(refused.headers.get('location')).toBeNull();
      expect(await refused.text()).toContain(
        'refused: the return address must be /scheduled or a page of it',
      );
    }
    expect(await redis.redis.zcard('schedule')).toBe(1);

    const done = await deleteReturning(here);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(here);
    expect(here).toMatch(/^\/scheduled\?text=kept\+%3Cx%3E\+%26\+y&page=1$/);
    expect(await redis.redis.zcard('schedule')).toBe(0);
  });

  it("mounts in an application's own server under a base path, as Rails apps mount Sidekiq::Web", async () => {
    await redis.client.push({ class: 'Mailer', args: ['<x>'], in: 60 });
    const dashboard = mountable({ basePath: '/sidekiq' });
    const root = await appServer((request, response) => {
      if (request.url?.startsWith('/sidekiq')) return dashboard.handle(request, response);
      response.end('the app');
    });
    expect(await (await fetch(`${root}/`)).text()).toBe('the app');
    const page = await fetch(`${root}/sidekiq/scheduled`);
    const markup = await page.text();
    expect(markup).toContain('href="/sidekiq/assets/app.css"');
    expect(markup).toMatch(/href="\/sidekiq\/scheduled\/[\d.]+-[0-9a-f]{24}"/);
    expect(markup).toContain('action="/sidekiq/scheduled/all"');
    expect(markup).not.toMatch(/(href|action|src)="\/(?!sidekiq)/);
    expect(markup).toContain('&quot;&lt;x&gt;&quot;');
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toContain('Path=/sidekiq;');
    const csrf = cookie.split(';')[0]!;
    expect((await fetch(`${root}/sidekiq/assets/app.js`)).status).toBe(200);
    const posted = await fetch(`${root}/sidekiq/scheduled/all`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf },
      body: `action=delete&authenticity_token=${csrf.split('=')[1]}`,
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/sidekiq/scheduled');
    expect(await redis.redis.zcard('schedule')).toBe(0);
  });

  it('takes a form a body parser already read, and a path a framework already stripped (Express)', async () => {
    await redis.client.push({ class: 'Mailer', args: [1], in: 60 });
    const dashboard = mountable({ basePath: '/admin/jobs' });
    const token = 'csrf-token-from-the-page';
    const root = await appServer((request, response) => {
      // What express.urlencoded() and app.use('/admin/jobs', …) leave behind.
      request.url = request.url!.slice('/admin/jobs'.length) || '/';
      (request as { body?: unknown }).body = { action: 'delete', authenticity_token: token };
      request.resume();
      dashboard.handle(request, response);
    });
    const posted = await fetch(`${root}/admin/jobs/scheduled/all`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `sidepunch_csrf=${token}` },
    });
    expect(posted.headers.get('location')).toBe('/admin/jobs/scheduled');
    expect(await redis.redis.zcard('schedule')).toBe(0);
  });

  it('reads the form itself behind a body parser that left it unread (express.json()), and takes a raw body one read', async () => {
    const dashboard = mountable({});
    const token = 'csrf-token-from-the-page';
    const root = await appServer(async (request, response) => {
      if (request.url === '/json/scheduled/all') {
        // express.json() in Express 4 on a url-encoded post: an empty object, the stream untouched.
        (request as { body?: unknown }).body = {};
      } else {
        // express.raw() or express.text(): the stream read to its end, the bytes (or their text) left behind.
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const raw = Buffer.concat(chunks);
        (request as { body?: unknown }).body = request.url === '/raw/scheduled/all' ? raw : raw.toString();
      }
      request.url = request.url!.replace(/^\/\w+/, '');
      dashboard.handle(request, response);
    });
    for (const parser of ['json', 'raw', 'text']) {
      await redis.client.push({ class: 'Mailer', args: [parser], in: 60 });
      const posted = await fetch(`${root}/${parser}/scheduled/all`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sidepunch_csrf=${token}` },
        body: `action=delete&authenticity_token=${token}`,
      });
      expect([parser, posted.status, posted.headers.get('location')]).toEqual([parser, 303, '/scheduled']);
      expect(await redis.redis.zcard('schedule')).toBe(0);
    }
  });

  it('answers 503 with one line when Redis is down', async () => {
    const web = await serve({ redis: `redis://127.0.0.1:${await freePort()}/0` });
    const down = await fetch(`${web.url}/retries`);
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(text).toMatch(/Redis is unreachable at redis:\/\/127\.0\.0\.1:\d+\/0: [^\n<]+</);
  });

  it('answers 503 with one line when no Sentinel of a redis+sentinel:// URL answers', async () => {
    const web = await serve({ redis: `redis+sentinel://127.0.0.1:${await freePort()}/mymaster` });
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('no answer within 10 s'), 10_000));
    const down = await Promise.race([fetch(`${web.url}/retries`), late]);
    expect(typeof down === 'string' ? down : down.status).toBe(503);
    expect(await (down as Response).text()).toMatch(
      /Redis is unreachable at redis\+sentinel:\/\/127\.0\.0\.1:\d+\/mymaster: [^\n<]+</,
    );
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
