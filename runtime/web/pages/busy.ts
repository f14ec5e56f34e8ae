/**
 * `/busy`: the live processes (host, pid, tag, queues, concurrency, busy, RSS, started, last beat) with Quiet and
 * Stop, one or all; and the jobs running right now. Signals travel through Redis and take effect at the
 * process's next heartbeat, as with Sidekiq.
 */
import type { ProcessRecord } from '../../api/process-set.js';
import { argsPreview, count, isoTime, kilobytes, relativeTime } from '../format.js';
import { html } from '../html.js';
import { layout, postButton } from '../layout.js';
import { type Handler, page, redirect, WebError } from '../web-context.js';

export const busyPage: Handler = async (context) => {
  const { api } = context;
  const [processes, work] = await Promise.all([api.processes.list(), api.work.list()]);
  const now = api.connection.clock.now();
  const busy = processes.reduce((total, process) => total + process.busy, 0);
  const threads = processes.reduce((total, process) => total + process.concurrency, 0);
  const rss = processes.reduce((total, process) => total + process.rss, 0);
  const signalable = processes.filter((process) => !process.embedded);
  const content = html`<h1>Busy</h1>
<section class="cards small" aria-label="totals">
<div class="card"><span class="figure">${count(processes.length)}</span><span class="label">Processes</span></div>
<div class="card"><span class="figure">${count(threads)}</span><span class="label">Concurrency</span></div>
<div class="card busy"><span class="figure">${count(busy)}</span><span class="label">Busy</span></div>
<div class="card"><span class="figure">${threads === 0 ? '0' : Math.round((busy / threads) * 100)}%</span><span class="label">Utilization</span></div>
<div class="card"><span class="figure">${kilobytes(rss)}</span><span class="label">RSS</span></div>
</section>
<section class="panel">
<div class="heading"><h2>Processes</h2>
<div class="actions">${
    signalable.length > 0
      ? html`${postButton(context, '/busy', 'Quiet All', { name: 'action', value: 'quiet', fields: { identity: '*' } })}${postButton(context, '/busy', 'Stop All', { name: 'action', value: 'stop', fields: { identity: '*' }, danger: true, confirm: 'Stop every process?' })}`
      : ''
  }</div></div>
${
  processes.length === 0
    ? html`<p class="empty">No processes are running.</p>`
    : html`<table class="list" id="processes">
<thead><tr><th>Process</th><th>Queues</th><th>Busy</th><th>RSS</th><th>Started</th><th>Beat</th><th></th></tr></thead>
<tbody>${processes.map((process) => processRow(context, process, now))}</tbody>
</table>`
}
</section>
<section class="panel">
<h2>Jobs running <small>${count(work.length)}</small></h2>
${
  work.length === 0
    ? html`<p class="empty">Nothing is running.</p>`
    : html`<table class="list" id="running">
<thead><tr><th>Process</th><th>Slot</th><th>Job</th><th>Queue</th><th>Arguments</th><th>Started</th></tr></thead>
<tbody>${work.map(
        (item) => html`<tr>
<td class="mono">${item.processId}</td><td class="mono">${item.threadId}</td>
<td><span class="class">${item.job.displayClass ?? '(not a job)'}</span><br><small class="mono">${item.job.jid}</small></td>
<td><a href="/queues/${encodeURIComponent(item.queue)}">${item.queue}</a></td>
<td class="args mono">${argsPreview(item.job.args)}</td>
<td title="${isoTime(item.runAt)}">${relativeTime(item.runAt, now)}</td>
</tr>`,
      )}</tbody>
</table>`
}
</section>`;
  return page(layout(context, 'Busy', '/busy', content));
};

function processRow(context: Parameters<Handler>[0], process: ProcessRecord, now: number) {
  const queues = process.queues.map((queue, i) => {
    const weight = process.weights?.[0]?.[queue];
    return html`${i > 0 ? ', ' : ''}<a href="/queues/${encodeURIComponent(queue)}">${queue}</a>${weight !== undefined && weight !== 0 ? html`<small>×${weight}</small>` : ''}`;
  });
  const status = process.stopping ? html`<span class="badge quiet">quiet</span>` : '';
  const buttons = process.embedded
    ? html`<small>embedded</small>`
    : html`${postButton(context, '/busy', 'Quiet', { name: 'action', value: 'quiet', fields: { identity: process.identity }, disabled: process.stopping })}${postButton(context, '/busy', 'Stop', { name: 'action', value: 'stop', fields: { identity: process.identity }, danger: true })}`;
  return html`<tr data-identity="${process.identity}">
<td><b>${process.hostname}:${process.pid}</b> ${process.tag ? html`<span class="badge">${process.tag}</span>` : ''} ${process.labels.map((label) => html`<span class="badge">${label}</span>`)} ${status}<br><small class="mono">${process.identity}</small>${process.version ? html` <small>${process.version}</small>` : ''}</td>
<td>${queues}</td>
<td>${count(process.busy)} / ${count(process.concurrency)}</td>
<td>${kilobytes(process.rss)}</td>
<td title="${isoTime(process.startedAt)}">${relativeTime(process.startedAt, now)}</td>
<td title="${isoTime(process.beat)}">${relativeTime(process.beat, now)}</td>
<td class="actions">${buttons}</td>
</tr>`;
}

export const busyAction: Handler = async ({ api, form }) => {
  const action = form.get('action');
  const identity = form.get('identity');
  if ((action !== 'quiet' && action !== 'stop') || !identity) {
    throw new WebError(400, 'say which process (identity) and what to do (quiet or stop)');
  }
  const targets =
    identity === '*'
      ? (await api.processes.list()).filter((process) => !process.embedded)
      : [await api.processes.get(identity)].filter((process) => process !== undefined);
  if (identity !== '*' && targets.length === 0) throw new WebError(404, `no live process ${identity}`);
  await Promise.all(targets.map((process) => (action === 'quiet' ? process.quiet() : process.stop())));
  return redirect('/busy');
};
