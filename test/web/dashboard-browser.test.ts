/**
 * The dashboard in headless Chromium, on data made by real jobs: the shop app's workers (fixtures/web-app, built by
 * sidepunch-gen) run in a real sidepunch-run on a private redis-server; each page shows what they did, and each
 * button changes Redis the way a Sidekiq user expects.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { requireChromium } from '../support/required-tool.js';
import { waitUntil } from '../support/runtime-process.js';
import { openPage, useShopDashboard } from '../support/web-app.js';

const headless = requireChromium();
const redis = useRedis();
const dashboard = useShopDashboard(redis);

/** sidepunch-run on the shop's queues, heartbeating and polling every second. */
function startShop() {
  const args = [
    '-c',
    '5',
    '-q',
    'default',
    '-q',
    'mail',
    '-t',
    '2',
    '--heartbeat',
    '1',
    '--poll-interval',
    '1',
  ];
  return redis.run(args, { registry: dashboard.app.registryFile });
}

async function retryCount(): Promise<number> {
  return redis.redis.zcard('retry');
}

async function open(path: string): Promise<Page> {
  return openPage(dashboard.browser, `${dashboard.web.url}${path}`);
}

headless.describe('the dashboard', () => {
  it('shows the figures of real jobs, with charts and Redis info, and updates them live', async () => {
    const shop = startShop();
    for (let i = 0; i < 3; i++) await dashboard.push('ChargeCard', [i, 'ok']);
    await dashboard.push('ChargeCard', [99, 'decline: expired']);
    await waitUntil(
      '3 charges and 1 failure',
      async () => (await redis.redis.llen('shop:charged')) === 3 && (await retryCount()) === 1,
    );
    await dashboard.push('SendReceipt', ['later@example.com', 1], { in: 3600 });

    const page = await open('/');
    const figure = (name: string) => page.locator(`[data-stat="${name}"]`);
    await expect.poll(() => figure('processed').textContent()).toBe('4');
    expect(await figure('failed').textContent()).toBe('1');
    expect(await figure('retries').textContent()).toBe('1');
    expect(await figure('scheduled').textContent()).toBe('1');
    await expect.poll(() => page.locator('.facts').textContent()).toMatch(/Version\s*7\.\d+/);
    expect(await page.locator('svg[aria-label^="history"] circle.processed').count()).toBe(30);

    // Without a reload: more jobs run, the figures and the live chart follow.
    for (let i = 0; i < 5; i++) await dashboard.push('ChargeCard', [100 + i, 'ok']);
    await expect.poll(() => figure('processed').textContent(), { timeout: 15_000 }).toBe('9');
    await expect.poll(() => page.locator('#realtime polyline.processed').getAttribute('points')).not.toBe('');
    await expect
      .poll(async () => Number(await page.locator('#realtime').getAttribute('data-samples')), {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(3);
    await shop.stop('SIGTERM');
  });

  it('lists the process and its running job on Busy; Quiet makes it quiet, Stop stops it', async () => {
    const shop = startShop();
    await dashboard.push('BuildReport', ['Quarterly <b>numbers</b>', 60]);
    await waitUntil('the report to be running', async () => (await redis.redis.keys('*:work')).length > 0);

    const page = await open('/busy');
    const running = page.locator('#running tbody tr');
    await expect.poll(() => running.count()).toBe(1);
    expect(await running.textContent()).toContain('"Quarterly <b>numbers</b>", 60');
    const processRow = page.locator('#processes tbody tr');
    expect(await processRow.textContent()).toMatch(/1 \/ 5/);
    expect(await processRow.textContent()).toContain(`:${shop.child.pid}`);

    await processRow.getByRole('button', { name: 'Quiet' }).click();
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('#processes .badge.quiet').count();
      })
      .toBe(1);
    await page.locator('#processes tbody tr').getByRole('button', { name: 'Stop' }).click();
    expect(await shop.exited).toBe(0);
  });

  it('lists queues with size and latency; a queue page deletes one job, and a queue is deleted whole', async () => {
    for (let i = 0; i < 3; i++) await dashboard.push('BuildReport', [`report ${i}`, 1], { queue: 'reports' });
    await dashboard.push('SendReceipt', ['a@example.com', 1]);

    const page = await open('/queues');
    const row = page.locator('tr[data-queue="reports"]');
    expect(await row.locator('[data-testid=size]').textContent()).toBe('3');
    expect(await page.locator('tr[data-queue="mail"] [data-testid=size]').textContent()).toBe('1');

    await row.getByRole('link', { name: 'reports' }).click();
    await expect.poll(() => page.locator('#jobs tbody tr').count()).toBe(3);
    const middle = page.locator('#jobs tbody tr', { hasText: 'report 1' });
    await middle.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('#jobs tbody tr').count()).toBe(2);
    const left = await redis.redis.lrange('queue:reports', 0, -1);
    expect(left.map((job) => JSON.parse(job).args[0]).sort()).toEqual(['report 0', 'report 2']);

    await page.getByRole('button', { name: 'Delete queue' }).click();
    await page.waitForURL(/\/queues$/);
    expect(await page.locator('tr[data-queue="reports"]').count()).toBe(0);
    expect(await redis.redis.exists('queue:reports')).toBe(0);
    expect(await redis.redis.llen('queue:mail')).toBe(1);
  });

  it('refreshes a page in place with Live on: new queues appear without a reload', async () => {
    const page = await open('/queues');
    expect(await page.locator('.empty').count()).toBe(1);
    await page.getByRole('button', { name: 'Live' }).click();
    await page.evaluate(() => {
      (globalThis as { sameDocument?: boolean }).sameDocument = true;
    });
    await dashboard.push('SendReceipt', ['live@example.com', 3]);
    await expect.poll(() => page.locator('tr[data-queue="mail"] [data-testid=size]').textContent()).toBe('1');
    // Still the same document: the rows came by polling, not by navigating.
    expect(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await page.getByRole('button', { name: 'Live' }).click();
  });

  it('Live goes on refreshing once a box is unchecked, though the box keeps the focus', async () => {
    await dashboard.push('SendReceipt', ['first@example.com', 1], { in: 3600 });
    const page = await open('/scheduled');
    await page.getByRole('button', { name: 'Live' }).click();
    const box = page.locator('#entries tbody tr input[type=checkbox]');
    await box.check();
    await box.uncheck();
    expect(await box.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
    await dashboard.push('SendReceipt', ['second@example.com', 2], { in: 3600 });
    await expect.poll(() => page.locator('#entries tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Live' }).click();
  });

  it('retries a failed job from the Retries page, and it runs', async () => {
    await redis.redis.set('shop:down:north', '1');
    const shop = startShop();
    await dashboard.push('SyncInventory', ['north', ['sku-1', 'sku-2']]);
    await waitUntil('the sync to fail once', async () => (await retryCount()) === 1);

    const page = await open('/retries');
    const row = page.locator('tbody tr', { hasText: 'SyncInventory' });
    expect(await row.textContent()).toContain('warehouse north is unreachable');
    expect(await row.textContent()).toContain('"north", ["sku-1","sku-2"]');

    await redis.redis.del('shop:down:north');
    await row.locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: 'Retry Now' }).click();
    await waitUntil('the retried sync to run', async () =>
      (await redis.redis.lrange('shop:synced', 0, -1)).includes('north:2'),
    );
    expect(await retryCount()).toBe(0);
    await page.goto(`${dashboard.web.url}/retries`);
    expect(await page.locator('.empty').textContent()).toBe('No jobs wait for a retry.');
    await shop.stop('SIGTERM');
  });

  it('shows a job in full: arguments by parameter name, error, backtrace, timestamps, other fields', async () => {
    const shop = startShop();
    await dashboard.push('ChargeCard', [1001, 'decline: insufficient funds'], { tags: ['checkout'] });
    await waitUntil('the charge to fail', async () => (await retryCount()) === 1);
    await shop.stop('SIGTERM');

    const page = await open('/retries');
    await page.locator('a.class', { hasText: 'ChargeCard' }).click();
    const args = page.locator('#arguments tr');
    expect(await args.nth(0).textContent()).toBe('orderId1001');
    expect(await args.nth(1).textContent()).toBe('note"decline: insufficient funds"');
    expect(await page.locator('#error').textContent()).toContain(
      'Error: card declined for order 1001: decline: insufficient funds',
    );
    expect(await page.locator('#error .backtrace').textContent()).toMatch(/charge-card|ChargeCard|perform/);
    const facts = await page.locator('#job').textContent();
    for (const label of ['Queue', 'JID', 'Next retry', 'Created', 'Enqueued', 'Failed', 'Retry count'])
      expect(facts).toContain(label);
    expect(await page.locator('#extra').textContent()).toContain('checkout');

    await page.getByRole('button', { name: 'Kill' }).click();
    await page.waitForURL(/\/retries$/);
    expect(await retryCount()).toBe(0);
    expect(await redis.redis.zcard('dead')).toBe(1);
  });

  it('renders job content as text: <script> in arguments and in the error message never runs', async () => {
    const shop = startShop();
    const note = 'decline <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
    await dashboard.push('ChargeCard', [666, note]);
    await waitUntil('the charge to fail', async () => (await retryCount()) === 1);
    await shop.stop('SIGTERM');

    const page = await open('/retries');
    expect(await page.locator('tbody tr').textContent()).toContain('<script>window.__xss = 1</script>');
    await page.locator('a.class', { hasText: 'ChargeCard' }).click();
    expect(await page.locator('#error').textContent()).toContain(note);
    expect(await page.locator('#arguments').textContent()).toContain('<script>window.__xss = 1</script>');
    expect(await page.locator('#content script, #content img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('adds a scheduled job to its queue, and it runs; kills and deletes dead jobs', async () => {
    const shop = startShop();
    await dashboard.push('SendReceipt', ['on-time@example.com', 5], { in: 3600 });
    await dashboard.push('SendReceipt', ['bounce@example.com', 9]);
    await waitUntil('the bounce to die', async () => (await redis.redis.zcard('dead')) === 1);

    const scheduled = await open('/scheduled');
    expect(await scheduled.locator('tbody tr').textContent()).toContain('on-time@example.com');
    await scheduled.locator('tbody input[type=checkbox]').check();
    await scheduled.getByRole('button', { name: 'Add to Queue' }).click();
    await waitUntil('the receipt to be sent', async () =>
      (await redis.redis.lrange('shop:receipts', 0, -1)).includes('5:on-time@example.com'),
    );
    expect(await redis.redis.zcard('schedule')).toBe(0);

    const morgue = await open('/morgue');
    const row = morgue.locator('tbody tr', { hasText: 'bounce@example.com' });
    expect(await row.textContent()).toContain('mailbox bounce@example.com does not exist');
    await row.locator('input[type=checkbox]').check();
    await morgue.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => morgue.locator('.empty').count()).toBe(1);
    expect(await redis.redis.zcard('dead')).toBe(0);
    await shop.stop('SIGTERM');
  });

  it('searches by class and by text in the arguments, and pages 25 at a time', async () => {
    await redis.redis.set('shop:down:north', '1');
    await redis.redis.set('shop:down:south', '1');
    const shop = startShop();
    for (let i = 0; i < 27; i++) await dashboard.push('ChargeCard', [i, `decline #${i}`]);
    await dashboard.push('SyncInventory', ['north', ['a']]);
    await dashboard.push('SyncInventory', ['south', ['b']]);
    await waitUntil('29 failures', async () => (await retryCount()) === 29);
    await shop.stop('SIGTERM');

    const page = await open('/retries');
    expect(await page.locator('tbody tr').count()).toBe(25);
    expect(await page.getByRole('button', { name: 'Kill All' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Next ›' }).click();
    expect(await page.locator('tbody tr').count()).toBe(4);

    await page.getByLabel('class').fill('sync');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    expect(await page.locator('[data-testid=search-summary]').textContent()).toBe(
      '2 matches in all 29 entries.',
    );
    // The All buttons act on the whole set, not on the matches: as in Sidekiq's, a search hides them.
    for (const label of ['Retry All', 'Delete All', 'Kill All'])
      expect(await page.getByRole('button', { name: label }).count()).toBe(0);
    await page.getByLabel('text in the arguments').fill('SOUTH');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').textContent()).toContain('"south"');

    // Select all on the page of matches, then kill them: only the match moves.
    await page.locator('[data-check-all]').check();
    await page.getByRole('button', { name: 'Kill', exact: true }).click();
    await expect.poll(() => retryCount()).toBe(28);
    expect(JSON.parse((await redis.redis.zrange('dead', 0, -1))[0]!).args[0]).toBe('south');
  });
});

headless.describe('every page', () => {
  it('loads without a failed request or a console error, its icon included', async () => {
    const page = await open('/');
    const failures: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') failures.push(`${page.url()}: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${response.url()}: ${response.status()}`);
    });
    await page.reload();
    for (const link of await page.locator('header nav a').all()) {
      await link.click();
      await page.waitForLoadState('load');
    }
    expect(failures).toEqual([]);
    const icon = await page.locator('link[rel=icon]').getAttribute('href');
    expect((await page.request.get(new URL(icon!, page.url()).href)).status()).toBe(200);
  });
});

headless.describe('state changes', () => {
  it('are refused without the CSRF token, from another origin, or as GET', async () => {
    await redis.redis.set('shop:down:east', '1');
    const shop = startShop();
    await dashboard.push('SyncInventory', ['east', []]);
    await waitUntil('the sync to fail', async () => (await retryCount()) === 1);
    await shop.stop('SIGTERM');

    const page = await open('/retries');
    const cookies = await page.context().cookies();
    const csrf = cookies.find((cookie) => cookie.name === 'sidepunch_csrf')!.value;
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${dashboard.web.url}/retries/all`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    expect((await post('action=delete')).status).toBe(403);
    expect((await post('action=delete', { cookie: `sidepunch_csrf=${csrf}` })).status).toBe(403);
    expect(
      (await post('action=delete&authenticity_token=guess', { cookie: `sidepunch_csrf=${csrf}` })).status,
    ).toBe(403);
    const crossSite = await post(`action=delete&authenticity_token=${csrf}`, {
      cookie: `sidepunch_csrf=${csrf}`,
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('cross-origin request from https://evil.example');
    expect((await fetch(`${dashboard.web.url}/retries/all`)).status).toBe(404); // GET changes nothing
    expect(await retryCount()).toBe(1);

    // The same request with the page's own token goes through.
    const allowed = await post(`action=delete&authenticity_token=${csrf}`, {
      cookie: `sidepunch_csrf=${csrf}`,
    });
    expect(allowed.status).toBe(303);
    expect(await retryCount()).toBe(0);
  });
});
