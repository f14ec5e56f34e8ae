/**
 * `/`: the figures (processed, failed, busy, enqueued, retries, scheduled, dead), a live chart of jobs per second
 * fed by polling `/stats` (assets.ts draws it), the per-day history over `?days=`, and what Redis says of itself.
 */
import { historyChart } from '../chart.js';
import { compact, count, duration } from '../format.js';
import { html } from '../html.js';
import { layout } from '../layout.js';
import { type Handler, page } from '../web-context.js';
import { readStats } from './stats-json.js';

const DAY_CHOICES = [7, 30, 90, 180] as const;

export const dashboardPage: Handler = async (context) => {
  const { api, query, settings } = context;
  const asked = Number(query.get('days'));
  const days = DAY_CHOICES.includes(asked as (typeof DAY_CHOICES)[number]) ? asked : 30;
  const [{ stats, info }, history] = await Promise.all([readStats(api), api.stats.history(days)]);
  const figures = stats.sidekiq;
  const cards = [
    ['processed', 'Processed', figures.processed, '/'],
    ['failed', 'Failed', figures.failed, '/retries'],
    ['busy', 'Busy', figures.busy, '/busy'],
    ['enqueued', 'Enqueued', figures.enqueued, '/queues'],
    ['retries', 'Retries', figures.retries, '/retries'],
    ['scheduled', 'Scheduled', figures.scheduled, '/scheduled'],
    ['dead', 'Dead', figures.dead, '/morgue'],
  ] as const;
  const dates = Object.keys(history.processed).reverse();
  const chart = historyChart(dates, [
    { name: 'processed', className: 'processed', values: dates.map((day) => history.processed[day] ?? 0) },
    { name: 'failed', className: 'failed', values: dates.map((day) => history.failed[day] ?? 0) },
  ]);
  const redisRows = [
    ['Version', info.redis_version],
    ['Uptime', info.uptime_in_seconds ? duration(Number(info.uptime_in_seconds)) : undefined],
    ['Connected clients', info.connected_clients],
    ['Memory used', info.used_memory_human],
    ['Peak memory', info.used_memory_peak_human],
    ['Keys evicted', info.evicted_keys],
    ['Max memory policy', info.maxmemory_policy],
  ].filter(([, value]) => value !== undefined);
  const content = html`<h1>Dashboard</h1>
<section class="cards" aria-label="figures">
${cards.map(
  ([key, label, value, href]) =>
    html`<a class="card ${key}" href="${href}"><span class="figure" data-stat="${key}" title="${count(value)}">${compact(value)}</span><span class="label">${label}</span></a>`,
)}
</section>
<section class="panel">
<h2>Now <small>jobs per second, sampled every ${settings.pollSeconds} s</small></h2>
<div id="realtime" data-stats-url="/stats" data-poll-seconds="${settings.pollSeconds}">
<svg class="chart" viewBox="0 0 900 180" role="img" aria-label="jobs per second"><polyline class="processed" points=""/><polyline class="failed" points=""/><text class="axis" x="56" y="14" data-role="max"></text></svg>
<p class="legend"><span class="processed">■ processed <b data-rate="processed">–</b>/s</span> <span class="failed">■ failed <b data-rate="failed">–</b>/s</span></p>
</div>
</section>
<section class="panel">
<h2>History <small>${days} days, UTC</small></h2>
<p class="choices">${DAY_CHOICES.map((choice) => (choice === days ? html`<b>${choice} days</b>` : html`<a href="/?days=${choice}">${choice} days</a>`))}</p>
${chart}
<p class="legend"><span class="processed">■ processed</span> <span class="failed">■ failed</span></p>
</section>
<section class="panel">
<h2>Redis</h2>
<table class="facts">${redisRows.map(([name, value]) => html`<tr><th>${name}</th><td>${value}</td></tr>`)}</table>
</section>`;
  return page(layout(context, 'Dashboard', '/', content));
};
