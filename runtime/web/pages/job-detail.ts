/**
 * `/<set>/<score>-<jid>`: one job in full. Arguments carry their parameter names from the registry sidepunch-gen
 * built (`perform(orderId, email)`) and, when they fail its validator, the generation of its arguments they have
 * and why (args-shape.ts), then the error, its backtrace, the timestamps, and every other field of
 * the payload as it is stored.
 */
import type { UniqueLockState } from '../../api/unique-lock.js';
import { argumentNames } from '../../core/argument-names.js';
import { findByKey } from '../entry-key.js';
import { jsonText, relativeTime, utc } from '../format.js';
import { html } from '../html.js';
import { layout, postButton } from '../layout.js';
import { uniqueLockText } from '../unique-lock-text.js';
import { type Handler, page, WebError } from '../web-context.js';
import { argsShapeNote } from './args-shape.js';
import { viewOf } from './job-sets.js';

/** Fields shown in their own rows; the rest go to "Other fields". */
const SHOWN = new Set([
  'class',
  'jid',
  'queue',
  'args',
  'created_at',
  'enqueued_at',
  'failed_at',
  'retried_at',
  'retry_count',
  'error_class',
  'error_message',
  'error_backtrace',
  'display_class',
  'unique_for',
  'unique_until',
  'unique_digest',
]);

/** A unique job's lock (docs/unique-and-limits.md): held by this job, by another copy, or released. */
/** The batch (`bid`, linked as Sidekiq's Web UI links it) and the workflow (`flow`) a job belongs to. */
function memberOf(item: Readonly<Record<string, unknown>>) {
  const { bid, flow } = item;
  return html`${typeof bid === 'string' && bid !== '' ? html`<tr><th>Batch</th><td class="bid"><a href="/batches/${encodeURIComponent(bid)}">${bid}</a></td></tr>` : ''}${typeof flow === 'string' && flow !== '' ? html`<tr><th>Workflow</th><td class="flow"><a href="/workflows/${encodeURIComponent(flow)}">${flow}</a></td></tr>` : ''}`;
}

function uniqueLockRow(lock: UniqueLockState, jid: string | undefined) {
  return html`<tr><th>Unique lock</th><td class="unique-lock"><span class="mono">${lock.key}</span><br><small>${uniqueLockText(lock, jid)}</small></td></tr>`;
}

export const jobDetailPage: Handler = async (context) => {
  const view = viewOf(context);
  const key = context.params[0]!;
  const set = view.set(context.api);
  const entry = await findByKey(set, key);
  if (!entry) {
    throw new WebError(404, `this job is no longer in ${view.title}: it may have run, moved or been deleted`);
  }
  const now = context.api.connection.clock.now();
  const reason = entry.isJob ? undefined : await context.api.dead.reasonFor(entry);
  const lock = entry.isJob ? await context.api.uniqueLock(entry) : undefined;
  const names = argumentNames(context.registry, entry.klass ?? '', entry.args.length);
  const time = (label: string, date: Date | undefined) =>
    date
      ? html`<tr><th>${label}</th><td>${utc(date)} <small>(${relativeTime(date, now)})</small></td></tr>`
      : '';
  const extra = Object.entries(entry.item).filter(([field]) => !SHOWN.has(field));
  const backtrace = entry.errorBacktrace;
  const action = `${view.path}/${encodeURIComponent(key)}`;
  const content = html`<h1><span class="class">${entry.displayClass ?? '(not a job)'}</span></h1>
<div class="heading"><p><a href="${view.path}">← ${view.title}</a></p>
<div class="actions">${view.actions.map(([name, label]) =>
    postButton(context, action, label, {
      name: 'action',
      value: name,
      danger: name === 'delete' || name === 'kill',
      disabled: !entry.isJob && (name === 'retry' || name === 'add_to_queue'),
    }),
  )}</div></div>
<section class="panel">
<table class="facts" id="job">
<tr><th>Queue</th><td><a href="/queues/${encodeURIComponent(entry.queue)}">${entry.queue}</a></td></tr>
<tr><th>Job class</th><td class="mono">${entry.klass ?? ''}</td></tr>
<tr><th>JID</th><td class="mono">${entry.jid ?? ''}</td></tr>
${time(view.when, entry.at)}
${time('Created', entry.createdAt.getTime() > 0 ? entry.createdAt : undefined)}
${time('Enqueued', entry.enqueuedAt)}
${time('Failed', entry.failedAt)}
${time('Retried', entry.retriedAt)}
${entry.retryCount !== undefined ? html`<tr><th>Retry count</th><td>${entry.retryCount}</td></tr>` : ''}
${memberOf(entry.item)}
${lock ? uniqueLockRow(lock, entry.jid) : ''}
</table>
</section>
<section class="panel">
<h2>Arguments</h2>
${argsShapeNote(context.registry, entry.klass, entry.args)}
${
  entry.args.length === 0
    ? html`<p class="empty">No arguments.</p>`
    : html`<table class="facts" id="arguments">${entry.args.map(
        (arg, i) => html`<tr><th class="mono">${names[i]}</th><td><pre>${jsonText(arg, 2)}</pre></td></tr>`,
      )}</table>`
}
</section>
${
  entry.errorClass || reason
    ? html`<section class="panel" id="error">
<h2>Error</h2>
<p><b class="mono">${entry.errorClass ?? reason?.errorClass}</b>: <span class="error-text">${entry.errorMessage ?? reason?.errorMessage}</span></p>
${backtrace ? html`<pre class="backtrace">${backtrace.join('\n')}</pre>` : ''}
</section>`
    : ''
}
${
  extra.length > 0
    ? html`<section class="panel"><h2>Other fields</h2><table class="facts" id="extra">${extra.map(
        ([field, value]) =>
          html`<tr><th class="mono">${field}</th><td><pre>${jsonText(value, 2)}</pre></td></tr>`,
      )}</table></section>`
    : ''
}
${entry.isJob ? '' : html`<section class="panel"><h2>Stored value</h2><pre>${entry.value}</pre></section>`}`;
  return page(layout(context, `${entry.displayClass ?? 'Job'} · ${view.title}`, view.path, content));
};
