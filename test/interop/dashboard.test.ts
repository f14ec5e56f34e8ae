/**
 * Sidepunch's dashboard on a real Ruby Sidekiq: its process on Busy (quieted and stopped from there, through
 * Redis), and a job Ruby failed on Retries and on its job page, with Ruby's error class, message and backtrace.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type WebServer } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { requireChromium } from '../support/required-tool.js';
import { type RuntimeProcess, waitUntil } from '../support/runtime-process.js';
import { launchChromium, openPage } from '../support/web-app.js';
import { describeEachSidekiq, SIDEKIQ_STARTED, startSidekiq } from './support/ruby-sidekiq.js';

const headless = requireChromium();
describe("the dashboard on Ruby Sidekiq's data", () => {
  const fixture = useRedis();

  describeEachSidekiq(
    'in Chromium',
    (generation) => {
      let browser: Browser;
      let web: WebServer;
      let sidekiq: RuntimeProcess;

      beforeAll(async () => {
        browser = await launchChromium();
        web = await startWebServer({ redis: fixture.server.url, port: 0 });
      }, 60_000);
      afterAll(async () => {
        if (sidekiq?.child.exitCode === null) await sidekiq.stop('SIGKILL');
        await browser?.close();
        await web?.close();
      });

      it('shows a Ruby process and the job it failed, and quiets and stops the process', async () => {
        sidekiq = startSidekiq(
          fixture.server.url,
          ['-q', 'default', '-c', '3', '-g', 'ruby-shop'],
          generation,
        );
        await sidekiq.waitForLine(SIDEKIQ_STARTED);
        await fixture.client.push({
          class: 'InteropFlaky',
          args: ['<b>boom</b> from Ruby', 1000],
          backtrace: 5,
        });
        await waitUntil(
          'Ruby to fail the job',
          async () => (await fixture.redis.zcard('retry')) === 1,
          20_000,
        );

        const retries = await openPage(browser, `${web.url}/retries`);
        const row = retries.locator('tbody tr');
        expect(await row.textContent()).toContain('InteropError: <b>boom</b> from Ruby');
        await row.locator('a.class').click();
        const args = retries.locator('#arguments tr');
        expect(await args.nth(0).textContent()).toBe('arg0"<b>boom</b> from Ruby"');
        expect(await retries.locator('#error .backtrace').textContent()).toMatch(/workers\.rb:\d+/);

        const busy = await openPage(browser, `${web.url}/busy`);
        const processRow = busy.locator('#processes tbody tr', { hasText: 'ruby-shop' });
        await expect.poll(() => processRow.count()).toBe(1);
        expect(await processRow.textContent()).toMatch(/\d \/ 3/); // busy as of its last heartbeat
        await processRow.getByRole('button', { name: 'Quiet' }).click();
        await sidekiq.waitForLine(/Terminating quiet|quiet/i, 20_000);
        await expect
          .poll(
            async () => {
              await busy.reload();
              return busy
                .locator('#processes tbody tr', { hasText: 'ruby-shop' })
                .locator('.badge.quiet')
                .count();
            },
            { timeout: 20_000 },
          )
          .toBe(1);
        await busy
          .locator('#processes tbody tr', { hasText: 'ruby-shop' })
          .getByRole('button', { name: 'Stop' })
          .click();
        expect(await sidekiq.exited).toBe(0);
      }, 90_000);
    },
    headless,
  );
});
