import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  MetricsMiddleware,
  mergeSnapshots,
  renderMetrics,
} from '../../runtime/middleware/prometheus-metrics.js';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT, type RuntimeProcess, startRuntime, waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();

/** The page over real HTTP: a `curl` child process, as a user would check it (node's fetch where curl is missing). */
async function scrape(url: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('curl', ['-sS', '--fail', url]);
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.text();
  }
}

async function metricsUrl(runtime: RuntimeProcess): Promise<string> {
  const line = await runtime.waitForLine(/metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
  return /(http:\/\/\S+\/metrics)/.exec(line)![1]!;
}

const processed = async () => Number(await fixture.redis.get('stat:processed'));

describe('the metrics middleware', () => {
  it('sidepunch-run --metrics-port serves processed and failed counters and a duration histogram per class', async () => {
    const runtime = fixture.run(['-c', '5', '--metrics-port', '0']);
    const url = await metricsUrl(runtime);
    await fixture.client.pushBulk({
      class: 'Probe',
      args: [
        ['ok', 'm'],
        ['ok', 'm'],
        ['ok', 'm'],
      ],
    });
    await fixture.client.push({
      class: 'Probe',
      args: ['fail', 'on purpose'],
      retry: false,
      queue: 'default',
    });
    await waitUntil('4 jobs processed', async () => (await processed()) === 4, 20_000);

    const page = await scrape(url);
    expect(page).toContain('# TYPE sidepunch_jobs_processed_total counter');
    expect(page).toContain('sidepunch_jobs_processed_total{class="Probe",queue="default"} 4');
    expect(page).toContain('sidepunch_jobs_failed_total{class="Probe",queue="default"} 1');
    expect(page).toContain('# TYPE sidepunch_job_duration_seconds histogram');
    expect(page).toContain('sidepunch_job_duration_seconds_bucket{class="Probe",le="+Inf"} 4');
    expect(page).toContain('sidepunch_job_duration_seconds_count{class="Probe"} 4');
    expect(page).toMatch(/^sidepunch_job_duration_seconds_sum\{class="Probe"\} [\d.e-]+$/m);
    await expect(fetch(url.replace('/metrics', '/other'))).resolves.toHaveProperty('status', 404);
  });

  it('with --threads, one page sums every thread', async () => {
    const runtime = fixture.run(['-c', '2', '--threads', '2', '--metrics-port', '0']);
    const url = await metricsUrl(runtime);
    await runtime.waitForLine(/starting 2 threads/);
    await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 40 }, () => ['slow', 5, 't']),
    });
    await waitUntil('40 jobs processed', async () => (await processed()) === 40, 20_000);
    expect(await scrape(url)).toContain('sidepunch_jobs_processed_total{class="Probe",queue="default"} 40');
  });

  it('a port already in use is one line and exit 1', async () => {
    const first = fixture.run(['--metrics-port', '0']);
    const port = /:(\d+)\/metrics/.exec(await first.waitForLine(/metrics at/))![1]!;
    const second = fixture.run(['--metrics-port', port]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `sidepunch-run: cannot serve metrics on 127.0.0.1:${port}: the port is in use`,
    );
  });

  it('renders label values escaped and merges snapshots', async () => {
    let now = 0;
    const metrics = new MetricsMiddleware(() => now);
    const context = { queue: 'a"q', worker: {} as never, workerClass: {} as never };
    const thirtyMs = async () => {
      now += 30;
    };
    await metrics.call({ class: 'W\\x', args: [], queue: 'a"q' }, thirtyMs, context);
    const merged = mergeSnapshots([metrics.snapshot(), metrics.snapshot()]);
    const page = renderMetrics(merged);
    expect(page).toContain('sidepunch_jobs_processed_total{class="W\\\\x",queue="a\\"q"} 2');
    expect(page).toContain('sidepunch_job_duration_seconds_bucket{class="W\\\\x",le="0.025"} 0');
    expect(page).toContain('sidepunch_job_duration_seconds_bucket{class="W\\\\x",le="0.05"} 2');
  });
});

describe('the structured-log middleware, added by a registry’s configureServer', () => {
  it('writes one JSON line when a job starts and one when it finishes', async () => {
    const runtime = startRuntime(fixture.server.url, [`${REPO_ROOT}fixtures/registries/structured-log.mjs`]);
    try {
      const jid = await fixture.client.push({ class: 'Probe', args: ['ok', 'logged'] });
      const finish = JSON.parse(await runtime.waitForLine(/"event":"job.finish"/));
      const start = JSON.parse(await runtime.waitForLine(/"event":"job.start"/));
      expect(start).toEqual({
        time: expect.any(String),
        event: 'job.start',
        jid,
        class: 'Probe',
        queue: 'default',
      });
      expect(finish).toMatchObject({
        event: 'job.finish',
        jid,
        class: 'Probe',
        queue: 'default',
        outcome: 'done',
      });
      expect(finish.duration).toBeGreaterThanOrEqual(0);
    } finally {
      await runtime.stop('SIGKILL');
    }
  });
});
