/**
 * The counters page in a real headless Chromium (Debian's, driven by playwright-core), against the real demo:
 * app, counter API, Redis and sidepunch-run.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from '../support/demo-process.js';
import { CHROMIUM, requireChromium } from '../support/required-tool.js';
import { waitUntil } from '../support/runtime-process.js';

const headless = requireChromium();

let demo: DemoProcess;
let browser: Browser;
let appUrl: string;

beforeAll(async () => {
  demo = startDemo([
    '--keep',
    '--counters',
    '1',
    '--increments',
    '5',
    '--decrements',
    '0',
    '--latency',
    '20',
  ]);
  await waitUntil(
    'the demo to keep running',
    () => /--keep: everything stays up/.test(demo.output()),
    60_000,
  );
  appUrl = /Open (http:\/\/127\.0\.0\.1:\d+)/.exec(demo.output())![1]!;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  demo?.child.kill('SIGINT');
  await demo?.exited;
});

headless.describe('the counters page', () => {
  it('creates a counter, and three presses of + bring it to 3 through background jobs', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await expect.poll(() => page.locator('li').count()).toBe(1); // the demo's own counter
    await page.fill('#name', 'clicks from the browser');
    await page.click('#create button');
    const row = page.locator('li', { hasText: 'clicks from the browser' });
    await expect.poll(() => row.locator('[data-testid=value]').textContent()).toBe('0');
    const plus = row.getByRole('button', { name: 'increment' });
    for (let i = 0; i < 3; i++) await plus.click();
    await expect.poll(() => page.locator('#sent').textContent()).toBe('3');
    await expect
      .poll(() => row.locator('[data-testid=value]').textContent(), { timeout: 15_000, interval: 100 })
      .toBe('3');
    await page.close();
  });

  it('shows names as text, never as HTML', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await page.fill('#name', '<img src=x onerror="document.title=1">');
    await page.click('#create button');
    await expect.poll(() => page.locator('li .name', { hasText: '<img' }).count()).toBe(1);
    expect(await page.locator('li img').count()).toBe(0);
    await page.close();
  });

  it('refuses a blank name with 422 and says why on the page, creating nothing', async () => {
    const refused = await fetch(`${appUrl}/api/counters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '   ' }),
    });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({ error: 'name: 1 to 60 characters' });

    // Counted through the app's API: the page's list fills in on its first refresh, after it loads.
    const counters = async () => ((await (await fetch(`${appUrl}/api/counters`)).json()) as unknown[]).length;
    const before = await counters();
    const page = await browser.newPage();
    await page.goto(appUrl);
    await page.fill('#name', '   ');
    await page.click('#create button');
    await expect.poll(() => page.locator('#error').textContent()).toBe('name: 1 to 60 characters');
    expect(await page.locator('#error').isVisible()).toBe(true);
    expect(await counters()).toBe(before);
    await page.close();
  });
});
