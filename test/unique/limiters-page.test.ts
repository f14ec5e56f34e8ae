/** The dashboard's Limiters page, read with a plain HTTP client: each limiter with its kind, limit, use and reschedules. */
import { afterEach, describe, expect, it } from 'vitest';
import { startWebServer, type WebServer } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';

const redis = useRedis();
let web: WebServer | undefined;

afterEach(async () => {
  await web?.close();
  web = undefined;
});

describe('the Limiters page', () => {
  it('lists each limiter: kind, limit, in use now, keys, reschedules; and is in the navigation', async () => {
    const far = Date.now() + 60_000;
    await redis.redis.hset(
      'sidepunch:limiters',
      'counter',
      JSON.stringify({ kind: 'concurrent', limit: 1, by: [0] }),
    );
    await redis.redis.zadd('sidepunch:limiter:concurrent:counter:c1', far, 'jid-1');
    await redis.redis.zadd('sidepunch:limiter:concurrent:counter:c2', far, 'jid-2');
    await redis.redis.hset('sidepunch:limiter-reschedules', 'counter', 7);
    web = await startWebServer({ redis: redis.server.url, port: 0 });
    const body = await (await fetch(`${web.url}/limiters`)).text();
    expect(body).toContain('<a href="/limiters" class="active" aria-current="page">Limiters</a>');
    const row = body.slice(body.indexOf('<tr data-name="counter">'));
    expect(row).toMatch(/<td>concurrent<\/td>/);
    expect(row).toMatch(/<td class="limit">1 at once<\/td>/);
    expect(row).toMatch(/<td class="in-use">2<\/td>/);
    expect(row).toMatch(/<td class="keys">2<\/td>/);
    expect(row).toMatch(/<td class="reschedules">7<\/td>/);
  });

  it('says how to declare one when there is none', async () => {
    web = await startWebServer({ redis: redis.server.url, port: 0 });
    expect(await (await fetch(`${web.url}/limiters`)).text()).toContain('No limiter has been used yet');
  });
});

describe('a unique job on its page', () => {
  it('shows its lock and who holds it', async () => {
    const jid = await redis.client.push({ class: 'Sync', args: [1], unique: { for: 60 }, in: 600 } as never);
    const [member, score] = await redis.redis.zrange('schedule', 0, 0, 'WITHSCORES');
    expect(member).toContain(jid!);
    web = await startWebServer({ redis: redis.server.url, port: 0 });
    const key = `${score}-${jid}`;
    const body = await (await fetch(`${web.url}/scheduled/${encodeURIComponent(key)}`)).text();
    expect(body).toContain('<th>Unique lock</th>');
    expect(body).toMatch(/held by this job until its success, expires in \d+ s/);
  });

  it('a queued one shows its lock on its queue page; a copy whose lock another job holds says so', async () => {
    const jid = await redis.client.push({ class: 'Sync', args: [2], unique: { for: 60 } } as never);
    // A copy pushed around the lock (as the lock expired and another push took it).
    const copy = await redis.client.push({ class: 'Sync', args: [2], unique: { for: 60 } } as never);
    expect(copy).toBeUndefined();
    await redis.redis.set(
      `unique:${JSON.parse((await redis.redis.lindex('queue:default', 0))!).unique_digest}`,
      'another-jid',
    );
    web = await startWebServer({ redis: redis.server.url, port: 0 });
    const body = await (await fetch(`${web.url}/queues/default`)).text();
    const row = body.slice(body.indexOf(`<tr data-jid="${jid}">`));
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/Unique lock: held by another job, another-jid/);
    await redis.redis.set(
      `unique:${JSON.parse((await redis.redis.lindex('queue:default', 0))!).unique_digest}`,
      jid!,
      'PX',
      60_000,
    );
    const again = await (await fetch(`${web.url}/queues/default`)).text();
    expect(again).toMatch(/Unique lock: held by this job until its success, expires in \d+ s/);
  });
});
