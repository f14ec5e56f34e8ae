/**
 * The Periodic page in headless Chromium: the entries a deploy declared, with their schedule, next and last run,
 * and the Pause / Resume / Enqueue now buttons changing Redis as `api.periodic` does.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../runtime/core/clock.js';
import { startWebServer, type WebServer } from '../../runtime/index.js';
import { periodicProcess, probeEntry } from '../support/periodic-process.js';
import { useRedis } from '../support/redis-fixture.js';
import { requireChromium } from '../support/required-tool.js';
import { launchChromium, openPage } from '../support/web-app.js';

const headless = requireChromium();
const redis = useRedis();
let browser: Browser | undefined;
let web: WebServer | undefined;

beforeAll(async () => {
  if (headless.missing) return;
  browser = await launchChromium();
  web = await startWebServer({ redis: redis.server.url, port: 0, pollSeconds: 1 });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

headless.describe('the Periodic page', () => {
  it('lists the entries and pauses, resumes and enqueues them', async () => {
    const clock = new FakeClock(Date.now() - 120_000);
    const deploy = periodicProcess(redis.server.url, clock, [
      probeEntry('nightly-report', '30 2 * * *', { tz: 'Europe/Paris', queue: 'reports' }),
      probeEntry('every-minute', '* * * * *', { missed: 'last' }),
    ]);
    try {
      await deploy.enqueuer.begin();
      clock.advance(60_000);
      await deploy.enqueuer.tick();
    } finally {
      deploy.close();
    }
    const lastJid = JSON.parse((await redis.redis.lrange('queue:default', 0, 0))[0]!).jid;

    const page = await openPage(browser!, `${web!.url}/periodic`);
    const row = (name: string) => page.locator(`tr[data-name="${name}"]`);
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Periodic');
    expect(await page.locator('#periodic tbody tr').count()).toBe(2);
    const nightly = await row('nightly-report').textContent();
    expect(nightly).toContain('30 2 * * *');
    expect(nightly).toContain('Europe/Paris');
    expect(nightly).toContain('Probe');
    expect(nightly).toContain('"ok", "nightly-report"');
    expect(nightly).toContain('reports');
    expect(await row('nightly-report').locator('.last-run').textContent()).toBe('never');
    expect(await row('every-minute').locator('.last-run').textContent()).toContain(lastJid);
    expect(await row('every-minute').textContent()).toContain('catch-up');

    await row('nightly-report').getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => row('nightly-report').textContent()).toContain('paused');
    expect(await redis.redis.hexists('sidepunch:periodic:nightly-report', 'paused')).toBe(1);

    await row('nightly-report').getByRole('button', { name: 'Enqueue now' }).click();
    await expect.poll(() => redis.redis.llen('queue:reports')).toBe(1);
    const job = JSON.parse((await redis.redis.lrange('queue:reports', 0, 0))[0]!);
    expect(job.periodic).toMatchObject({ name: 'nightly-report', manual: true });

    await page.waitForURL(/\/periodic$/);
    await row('nightly-report').getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => redis.redis.hexists('sidepunch:periodic:nightly-report', 'paused')).toBe(0);
    await expect.poll(() => row('nightly-report').textContent()).not.toContain('paused');
    await page.close();
  });
});
