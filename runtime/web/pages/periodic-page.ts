/**
 * `/periodic`: the periodic entries the last deploy declared (name, schedule and time zone, job, arguments, queue,
 * next run, last run and its jid, paused), with Pause / Resume and Enqueue now for each. The same data and actions
 * as `api.periodic`.
 */
import type { PeriodicEntryRecord } from '../../api/periodic-set.js';
import { argsPreview, count, relativeTime, utc } from '../format.js';
import { html } from '../html.js';
import { layout, postButton } from '../layout.js';
import { type Handler, page, redirect, WebError } from '../web-context.js';

export const periodicPage: Handler = async (context) => {
  const { api } = context;
  const entries = await api.periodic.all();
  const now = api.connection.clock.now();
  const paused = entries.filter((entry) => entry.paused).length;
  const content = html`<h1>Periodic <small>${count(entries.length)}${paused > 0 ? html`, ${count(paused)} paused` : ''}</small></h1>
<section class="panel">
${
  entries.length === 0
    ? html`<p class="empty">No periodic entries: declare them with <code>periodic(…)</code> (docs/periodic.md).</p>`
    : html`<table class="list" id="periodic">
<thead><tr><th>Name</th><th>Schedule</th><th>Job</th><th>Queue</th><th>Next run</th><th>Last run</th><th></th></tr></thead>
<tbody>${entries.map((entry) => entryRow(context, entry, now))}</tbody>
</table>`
}
</section>`;
  return page(layout(context, 'Periodic', '/periodic', content));
};

function entryRow(context: Parameters<Handler>[0], entry: PeriodicEntryRecord, now: number) {
  const fields = { name: entry.name };
  const toggle = entry.paused
    ? postButton(context, '/periodic', 'Resume', { name: 'action', value: 'resume', fields })
    : postButton(context, '/periodic', 'Pause', { name: 'action', value: 'pause', fields });
  const enqueue = postButton(context, '/periodic', 'Enqueue now', {
    name: 'action',
    value: 'enqueue',
    fields,
  });
  return html`<tr data-name="${entry.name}">
<td><b>${entry.name}</b>${entry.paused ? html` <span class="badge quiet">paused</span>` : ''}${entry.missed === 'last' ? html` <span class="badge" title="enqueues its last missed tick at start-up">catch-up</span>` : ''}</td>
<td><code>${entry.cron}</code><br><small>${entry.tz ?? 'UTC'}</small></td>
<td><span class="class">${entry.className}</span><br><small class="args mono">${argsPreview(entry.args)}</small></td>
<td><a href="/queues/${encodeURIComponent(entry.queue)}">${entry.queue}</a></td>
<td class="next-run">${entry.nextRun ? html`<span title="${utc(entry.nextRun)}">${relativeTime(entry.nextRun, now)}</span>` : '—'}</td>
<td class="last-run">${entry.lastRun ? html`<span title="${utc(entry.lastRun)}">${relativeTime(entry.lastRun, now)}</span><br><small class="mono">${entry.lastJid ?? ''}</small>` : 'never'}</td>
<td class="actions">${toggle}${enqueue}</td>
</tr>`;
}

export const periodicAction: Handler = async ({ api, form }) => {
  const action = form.get('action');
  const name = form.get('name');
  if (!name || (action !== 'pause' && action !== 'resume' && action !== 'enqueue')) {
    throw new WebError(400, 'say which entry (name) and what to do (pause, resume or enqueue)');
  }
  if ((await api.periodic.get(name)) === undefined) throw new WebError(404, `no periodic entry "${name}"`);
  if (action === 'pause') await api.periodic.pause(name);
  else if (action === 'resume') await api.periodic.resume(name);
  else await api.periodic.enqueueNow(name);
  return redirect('/periodic');
};
