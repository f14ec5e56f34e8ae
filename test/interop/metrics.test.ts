/**
 * Sidekiq 7's Metrics tab on Sidepunch's jobs: `Sidekiq::Metrics::Query` (fixtures/interop/metrics.rb) on 7.3.9
 * reads the execution metrics sidepunch-run wrote, with the same figures as Sidepunch's own `api.metrics` (which
 * the dashboard's Metrics page shows): per class runs, failures, milliseconds, mean time and histogram; and the
 * Metrics page shows Ruby's counts.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, SidepunchApi, startWebServer } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';
import { useInteropApp } from './support/interop-app.js';
import { describeEachSidekiq, runRuby } from './support/ruby-sidekiq.js';

interface RubyMetrics {
  classes: string[];
  [className: string]: unknown;
}
interface RubyClass {
  totals: { p: number; f: number; ms: number };
  total_avg: number;
  hist: number[];
}

describe("Sidekiq's Metrics on Sidepunch's jobs", () => {
  const fixture = useRedis();
  const app = useInteropApp('metrics');

  describeEachSidekiq(
    'Sidekiq::Metrics::Query',
    (sidekiq) => {
      it('reads the classes Sidepunch ran with the same runs, failures, times and histogram as api.metrics', async () => {
        const runtime = fixture.run(['-c', '5'], { registry: app.registry });
        const { client, redis } = fixture;
        await client.pushBulk({ class: 'InteropEcho', args: Array.from({ length: 20 }, (_, i) => [i]) });
        await client.pushBulk({ class: 'InteropFlaky', args: [['once'], ['twice'], ['thrice']] });
        await client.pushBulk({ class: 'InteropDoomed', args: [['a'], ['b']], retry: false });
        await waitUntil('25 runs written', async () => Number(await redis.get('stat:processed')) === 25);
        expect(await runtime.stop('SIGTERM')).toBe(0);

        const now = Date.now();
        const classes = ['InteropDoomed', 'InteropEcho', 'InteropFlaky'];
        const ruby = await runRuby<RubyMetrics>(
          'metrics.rb',
          fixture.server.url,
          [String(now / 1000), '10', ...classes],
          sidekiq,
        );
        const api = new SidepunchApi({ redis: fixture.redis, clock: new FakeClock(now) });
        const report = await api.metrics.top({ minutes: 10 });
        await api.close();

        expect(ruby.classes).toEqual(classes);
        expect(report.classes.map((metrics) => metrics.className).sort()).toEqual(classes);
        for (const metrics of report.classes) {
          const seen = ruby[metrics.className] as RubyClass;
          expect({ class: metrics.className, ...seen.totals }).toEqual({
            class: metrics.className,
            p: metrics.processed,
            f: metrics.failed,
            ms: metrics.totalMs,
          });
          expect(seen.total_avg).toBeCloseTo(metrics.meanMs, 6);
          expect(seen.hist).toEqual(metrics.histogram);
        }
        const byName = Object.fromEntries(report.classes.map((metrics) => [metrics.className, metrics]));
        expect(byName.InteropEcho).toMatchObject({ processed: 20, failed: 0 });
        expect(byName.InteropFlaky).toMatchObject({ processed: 3, failed: 3, failureRate: 1 });
        expect(byName.InteropDoomed).toMatchObject({ processed: 2, failed: 2 });
        expect(byName.InteropEcho!.histogram.reduce((a, b) => a + b, 0)).toBe(20);

        // Sidepunch's Metrics page, at the same moment, shows Ruby's counts for each class.
        const web = await startWebServer({ redis: fixture.server.url, port: 0, clock: new FakeClock(now) });
        const html = await (await fetch(`${web.url}/metrics?minutes=15`)).text();
        await web.close();
        for (const className of classes) {
          const row = html.match(new RegExp(`<tr data-class="${className}">([\\s\\S]*?)</tr>`))?.[1] ?? '';
          const figure = (name: string) => row.match(new RegExp(`data-figure="${name}"[^>]*>([^<]*)<`))?.[1];
          const { totals } = ruby[className] as RubyClass;
          expect({ className, processed: figure('processed'), failed: figure('failed') }).toEqual({
            className,
            processed: String(totals.p),
            failed: String(totals.f),
          });
        }
      });
    },
    undefined,
    7,
  );
});
