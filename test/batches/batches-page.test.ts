/** The dashboard's Batches pages, read with a plain HTTP client: the list, and a batch with its failed members. */
import { afterEach, describe, expect, it } from 'vitest';
import { startWebServer, type WebServer } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
let web: WebServer | undefined;

afterEach(async () => {
  await web?.close();
  web = undefined;
});

describe('the Batches pages', () => {
  it('list each batch with total, pending, failures and state; a batch page shows its failed jobs and times', async () => {
    const batch = fixture.client.batch({ description: 'nightly import' });
    const jids = await batch.jobs(() =>
      fixture.client.pushBulk({
        class: 'Row',
        args: [[1], [2], [3]],
      }),
    );
    // As the runtime would have settled them: one succeeded, one failed (now in the retry set).
    await fixture.redis.srem(`sidepunch:batch:${batch.bid}:pending`, jids[0]!);
    await fixture.redis.sadd(`sidepunch:batch:${batch.bid}:failed`, jids[1]!);
    web = await startWebServer({ redis: fixture.server.url, port: 0 });
    const list = await (await fetch(`${web.url}/batches`)).text();
    expect(list).toContain('<a href="/batches" class="active" aria-current="page">Batches</a>');
    const row = list.slice(list.indexOf(`<tr data-bid="${batch.bid}">`));
    expect(row).toContain('nightly import');
    expect(row).toMatch(/<td class="total">3<\/td>/);
    expect(row).toMatch(/<td class="pending">2<\/td>/);
    expect(row).toMatch(/<td class="failures">1<\/td>/);
    expect(row).toMatch(/<td class="state">running<\/td>/);
    const detail = await (await fetch(`${web.url}/batches/${batch.bid}`)).text();
    expect(detail).toContain(`<a href="/retries?text=${jids[1]}"><code>${jids[1]}</code></a>`);
    expect(detail).toMatch(/Expires<\/th><td>in (29|30) d/);
    // The failed job waits in the retry set, among others: its link finds it there, and only it.
    for (const job of await fixture.redis.lrange('queue:default', 0, -1)) {
      await fixture.redis.zadd(
        'retry',
        1_900_000_000,
        JSON.stringify({ ...JSON.parse(job), retry_count: 0 }),
      );
    }
    const found = await (await fetch(`${web.url}/retries?text=${jids[1]}`)).text();
    expect([...found.matchAll(/<tr data-jid="(\w+)">/g)].map(([, jid]) => jid)).toEqual([jids[1]]);
    expect((await fetch(`${web.url}/batches/nope`)).status).toBe(404);
  });

  it("links a failed job that died to the dead set's search, where it is, not the retry set's", async () => {
    const batch = fixture.client.batch({ description: 'with a death' });
    const jids = await batch.jobs(() => fixture.client.pushBulk({ class: 'Row', args: [[1], [2]] }));
    // As the runtime would have settled them: the first failed (in the retry set), the second died.
    await fixture.redis.sadd(`sidepunch:batch:${batch.bid}:failed`, jids[0]!, jids[1]!);
    await fixture.redis.sadd(`sidepunch:batch:${batch.bid}:dead`, jids[1]!);
    web = await startWebServer({ redis: fixture.server.url, port: 0 });
    const detail = await (await fetch(`${web.url}/batches/${batch.bid}`)).text();
    const failed = detail.slice(detail.indexOf('<td class="failed">'), detail.indexOf('<td class="dead">'));
    expect(failed).toContain(`<a href="/retries?text=${jids[0]}">`);
    expect(failed).toContain(`<a href="/morgue?text=${jids[1]}">`);
    expect(failed).not.toContain(`/retries?text=${jids[1]}`);
  });

  it("a batch job's page links to its batch, as Sidekiq's Web UI links its BID", async () => {
    const batch = fixture.client.batch({ description: 'linked' });
    const [jid] = await batch.jobs(() => fixture.client.pushBulk({ class: 'Row', args: [[1]] }));
    const [job] = await fixture.redis.lrange('queue:default', 0, -1);
    await fixture.redis.zadd('retry', 1_900_000_000, JSON.stringify({ ...JSON.parse(job!), retry_count: 0 }));
    web = await startWebServer({ redis: fixture.server.url, port: 0 });
    const list = await (await fetch(`${web.url}/retries`)).text();
    const href = new RegExp(`href="(/retries/[^"]*${jid})"`).exec(list)?.[1];
    expect(href).toBeDefined();
    const page = await (await fetch(`${web.url}${href}`)).text();
    expect(page).toContain(
      `<tr><th>Batch</th><td class="bid"><a href="/batches/${batch.bid}">${batch.bid}</a></td></tr>`,
    );
  });

  it('says how to create one when there is none', async () => {
    web = await startWebServer({ redis: fixture.server.url, port: 0 });
    expect(await (await fetch(`${web.url}/batches`)).text()).toContain('No batches');
  });
});
