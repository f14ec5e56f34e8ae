/**
 * The Metrics page in headless Chromium, on metrics written by real runs (an in-process runtime whose workers
 * advance the shared fake clock, so each run's time is exact): the busiest classes with runs, failures, failure
 * rate, total, mean and p95 time, a chart per class, a chosen period and a filter; and a class's own page with its
 * charts and histogram.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../runtime/core/clock.js';
import { startWebServer, type WebServer } from '../../runtime/index.js';
import { type InProcessRuntime, startInProcess } from '../support/in-process.js';
import { useRedis } from '../support/redis-fixture.js';
import { requireChromium } from '../support/required-tool.js';
import { launchChromium, openPage } from '../support/web-app.js';

const headless = requireChromium();
const redis = useRedis();
// Half a minute into a minute, so the runs below stay in it.
const clock = new FakeClock(Date.UTC(2026, 10, 28, 9, 41, 30));
let browser: Browser | undefined;
let web: WebServer | undefined;
let runtime: InProcessRuntime | undefined;

class ResizeImage {
  perform(ms: number): void {
    clock.advance(ms);
  }
}
class SendMail {
  perform(fail: boolean): void {
    clock.advance(5);
    if (fail) throw new Error('smtp down');
  }
}

beforeAll(async () => {
  if (headless.missing) return;
  browser = await launchChromium();
  web = await startWebServer({ redis: redis.server.url, port: 0, pollSeconds: 1, clock });
}, 60_000);
afterAll(async () => {
  await runtime?.stop();
  await browser?.close();
  await web?.close();
});

headless.describe('the Metrics page', () => {
  it('shows each class’s runs, failure rate, mean and p95 with a chart, and a class’s histogram', async () => {
    runtime = startInProcess(redis.server.url, { ResizeImage, SendMail }, { clock, concurrency: 1 });
    // Flushes gathered from before the first push: a job may be written before its push's reply arrives.
    const flushed = new Set<string>();
    runtime.launcher.events.on('complete:flushed', (event) => {
      for (const jid of event.jids) flushed.add(jid);
    });
    const pushed: string[] = [];
    const push = async (klass: string, args: unknown[]) =>
      pushed.push((await redis.client.push({ class: klass, args, retry: false }))!);
    for (const ms of [120, 120, 120, 900]) await push('ResizeImage', [ms]);
    for (const fail of [false, true, false, false, true]) await push('SendMail', [fail]);
    await expect.poll(() => pushed.every((jid) => flushed.has(jid))).toBe(true);

    const page = await openPage(browser!, `${web!.url}/metrics`);
    expect(await page.locator('nav a.active').textContent()).toBe('Metrics');
    const rows = page.locator('#metrics tbody tr');
    expect(await rows.locator('a.class').allTextContents()).toEqual(['SendMail', 'ResizeImage']);
    const figures = async (className: string) =>
      Object.fromEntries(
        await page
          .locator(`#metrics tr[data-class="${className}"] td[data-figure]`)
          .evaluateAll((cells) => cells.map((cell) => [cell.getAttribute('data-figure'), cell.textContent])),
      );
    expect(await figures('SendMail')).toEqual({
      processed: '5',
      failed: '2',
      'failure-rate': '40.0%',
      total: '15 ms',
      mean: '5 ms',
      p95: '≤ 20 ms',
    });
    expect(await figures('ResizeImage')).toEqual({
      processed: '4',
      failed: '0',
      'failure-rate': '0%',
      total: '1.26 s',
      mean: '315 ms',
      p95: '≤ 1.10 s',
    });
    const charts = page.locator('figure.class-chart');
    expect(await charts.locator('figcaption').allTextContents()).toEqual(['SendMail', 'ResizeImage']);
    expect(await charts.first().locator('svg circle.failed title').last().textContent()).toMatch(/2 failed$/);

    await page.getByRole('searchbox', { name: 'filter classes' }).fill('Resize');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.locator('a.class').allTextContents()).toEqual(['ResizeImage']);
    await page.getByRole('link', { name: '3 h' }).click();
    await expect.poll(() => page.locator('.choices b').textContent()).toBe('3 h');
    expect(page.url()).toContain('filter=Resize');

    await rows.locator('a.class').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Metrics ResizeImage');
    expect(await page.locator('#class-figures td[data-figure="mean"]').textContent()).toBe('315 ms');
    expect(await page.locator('#histogram tr').allTextContents()).toEqual([
      '100 ms – 150 ms3',
      '750 ms – 1.10 s1',
    ]);
    expect(await page.locator('svg.chart').count()).toBe(2);

    // Any case, as every search of the dashboard and Sidekiq's filter; and the addresses Sidekiq's Metrics tab
    // writes (`?substr=`, `?period=8h`, `/metrics/<class>?period=`), so its bookmarks keep working.
    await page.goto(`${web!.url}/metrics?filter=sendmail`);
    expect(await rows.locator('a.class').allTextContents()).toEqual(['SendMail']);
    await page.goto(`${web!.url}/metrics?substr=RESIZE&period=8h`);
    expect(await rows.locator('a.class').allTextContents()).toEqual(['ResizeImage']);
    expect(await page.locator('.choices b').textContent()).toBe('8 h');
    expect(await page.getByRole('searchbox', { name: 'filter classes' }).inputValue()).toBe('RESIZE');
    await page.goto(`${web!.url}/metrics/ResizeImage?period=2h`);
    expect(await page.locator('h2').first().textContent()).toBe('Runs per 2 minutes');
    expect(await page.locator('#class-figures td[data-figure="processed"]').textContent()).toBe('4');

    // Another period that does not reach back to the runs shows none.
    clock.advance(20 * 60_000);
    await page.goto(`${web!.url}/metrics?minutes=15`);
    expect(await page.locator('.empty').textContent()).toBe('No job ran in these 15 minutes.');
  });
});
