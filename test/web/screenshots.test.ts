/**
 * The screenshots in docs/web/ and the README, of a busy shop: two sidepunch-run processes, jobs running, queued,
 * failing, scheduled and dead, all made by real jobs; only the daily history before today is written directly
 * (a fresh Redis has none). Skipped unless asked for:
 *
 *   UPDATE_SCREENSHOTS=1 npx vitest run test/web/screenshots.test.ts
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';
import { openPage, useShopDashboard } from '../support/web-app.js';

const wanted = Boolean(process.env.UPDATE_SCREENSHOTS);
const redis = useRedis();
const dashboard = useShopDashboard(redis, { enabled: wanted });

async function save(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${REPO_ROOT}docs/web/${name}.png`, fullPage: true });
}

describe.runIf(wanted)('docs screenshots (opt-in: UPDATE_SCREENSHOTS=1)', () => {
  it('of every page', async () => {
    const day = 86_400_000;
    for (let i = 1; i < 30; i++) {
      const date = new Date(Date.now() - i * day).toISOString().slice(0, 10);
      const base = 4000 + Math.round(2500 * Math.sin(i / 3) ** 2) + (i % 7 < 2 ? -2500 : 0);
      await redis.redis.set(`stat:processed:${date}`, base);
      await redis.redis.set(`stat:failed:${date}`, Math.round(base * (0.02 + (i % 5) * 0.01)));
    }
    for (const warehouse of ['north', 'east']) await redis.redis.set(`shop:down:${warehouse}`, '1');

    const checkout = redis.run(
      ['-c', '10', '-q', 'default', '-q', 'mail', '-g', 'checkout', '--heartbeat', '1'],
      {
        registry: dashboard.app.registryFile,
      },
    );
    const reports = redis.run(['-c', '2', '-q', 'reports', '-g', 'reports', '--heartbeat', '1'], {
      registry: dashboard.app.registryFile,
    });
    await Promise.all([checkout.waitForLine(/starting/), reports.waitForLine(/starting/)]);

    const notes = ['decline: expired card', 'decline: insufficient funds', 'decline: suspected fraud'];
    for (let i = 0; i < 40; i++) await dashboard.push('ChargeCard', [5000 + i, 'ok']);
    for (let i = 0; i < 9; i++)
      await dashboard.push('ChargeCard', [5100 + i, notes[i % 3]!], { tags: ['checkout'] });
    for (const warehouse of ['north', 'east', 'south'])
      await dashboard.push('SyncInventory', [warehouse, ['sku-1042', 'sku-2210', 'sku-3111']]);
    for (const email of ['old@example.com', 'bounce@example.org', 'mailbox-bounce@example.net'])
      await dashboard.push('SendReceipt', [email, 5200]);
    for (let i = 0; i < 6; i++) {
      await dashboard.push('SendReceipt', [`customer${i}@example.com`, 5300 + i], { in: 600 + i * 1800 });
    }
    for (const title of ['Monthly revenue', 'Churn by cohort', 'Inventory turns', 'Refunds', 'Top customers'])
      await dashboard.push('BuildReport', [title, 120], { queue: 'reports' });
    for (let i = 0; i < 14; i++)
      await dashboard.push('BuildReport', [`Store ${i + 1} daily`, 30], { queue: 'reports' });
    await waitUntil('the failures to land', async () => (await redis.redis.zcard('retry')) === 11);

    // The live chart needs traffic while it samples.
    let flowing = true;
    const traffic = (async () => {
      for (let i = 0; flowing; i++) {
        await redis.client.pushBulk({
          class: dashboard.app.registry.workers.ChargeCard!,
          args: Array.from({ length: 20 + ((i * 7) % 30) }, (_, j) => [6000 + i * 100 + j, 'ok']),
        });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const home = await openPage(dashboard.browser, `${dashboard.web.url}/`);
    await expect
      .poll(async () => Number(await home.locator('#realtime').getAttribute('data-samples')), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(12);
    flowing = false;
    await traffic;
    await save(home, 'dashboard');

    const pages: [string, string][] = [
      ['/busy', 'busy'],
      ['/queues', 'queues'],
      ['/queues/reports', 'queue'],
      ['/retries', 'retries'],
      ['/scheduled', 'scheduled'],
      ['/morgue', 'morgue'],
      ['/retries?class=charge&text=fraud', 'search'],
    ];
    for (const [path, name] of pages)
      await save(await openPage(dashboard.browser, `${dashboard.web.url}${path}`), name);

    const retries = await openPage(dashboard.browser, `${dashboard.web.url}/retries`);
    await retries.locator('a.class', { hasText: 'ChargeCard' }).first().click();
    await save(retries, 'job');
  }, 120_000);
});
