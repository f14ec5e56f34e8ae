/**
 * `/batches` and `/batches/<bid>`: the batches (docs/batches.md), newest first, with total, pending, failures, state
 * and when each event fired; a batch's page adds its failed and dead members (linked to the retry and dead sets'
 * search), its parent, its callbacks and when its keys expire. The same data as `api.batches`.
 */
import type { BatchRecord } from '../../api/batch-set.js';
import { count, duration, relativeTime, utc } from '../format.js';
import { html } from '../html.js';
import { layout } from '../layout.js';
import { type Handler, page, WebError } from '../web-context.js';

export const batchesPage: Handler = async (context) => {
  const { api } = context;
  const batches = await api.batches.all();
  const now = api.connection.clock.now();
  const content = html`<h1>Batches <small>${count(batches.length)}</small></h1>
<section class="panel">
${
  batches.length === 0
    ? html`<p class="empty">No batches: create one with <code>client.batch({ … }).jobs(…)</code> (docs/batches.md). Batches expire 30 days after their last jobs block.</p>`
    : html`<table class="list" id="batches">
<thead><tr><th>Batch</th><th>Created</th><th>Total</th><th>Pending</th><th>Failures</th><th>State</th></tr></thead>
<tbody>${batches.map((batch) => batchRow(batch, now))}</tbody>
</table>`
}
</section>`;
  return page(layout(context, 'Batches', '/batches', content));
};

export const batchPage: Handler = async (context) => {
  const { api } = context;
  const bid = context.params[0]!;
  const batch = await api.batches.get(bid);
  if (!batch) throw new WebError(404, `no batch ${bid} (it expired, or never existed)`);
  const now = api.connection.clock.now();
  const when = (seconds?: number) => (seconds === undefined ? '—' : at(seconds, now));
  // A failed member that died waits in the dead set, not the retry set: its link searches where it is.
  const dead = new Set(batch.deadMembers);
  const members = (list: readonly string[], set: 'retries' | 'morgue') =>
    list.length === 0
      ? '—'
      : html`${list.map((member, i) => html`${i > 0 ? ', ' : ''}${memberLink(member, dead.has(member) ? 'morgue' : set)}`)}`;
  const content = html`<h1>Batch <small>${batch.description || batch.bid}</small></h1>
<section class="panel">
<table class="detail" id="batch">
<tr><th>Bid</th><td>${batch.bid}</td></tr>
<tr><th>Description</th><td>${batch.description || '—'}</td></tr>
<tr><th>State</th><td class="state">${state(batch)}</td></tr>
<tr><th>Total</th><td class="total">${count(batch.total)}</td></tr>
<tr><th>Pending</th><td class="pending">${count(batch.pending)}</td></tr>
<tr><th>Failures</th><td class="failures">${count(batch.failures)}</td></tr>
<tr><th>Failed</th><td class="failed">${members(batch.failedMembers, 'retries')}</td></tr>
<tr><th>Dead</th><td class="dead">${members(batch.deadMembers, 'morgue')}</td></tr>
<tr><th>Jobs blocks open</th><td>${count(batch.open)}</td></tr>
<tr><th>Parent</th><td>${batch.parent ? memberLink(`batch:${batch.parent}`, 'retries') : '—'}</td></tr>
<tr><th>Callbacks</th><td>${batch.callbacks.length === 0 ? '—' : batch.callbacks.join(', ')}</td></tr>
<tr><th>Created</th><td>${at(batch.createdAt, now)}</td></tr>
<tr><th>Completed</th><td class="complete-at">${when(batch.completeAt)}</td></tr>
<tr><th>Succeeded</th><td class="success-at">${when(batch.successAt)}</td></tr>
<tr><th>First death</th><td class="death-at">${when(batch.deathAt)}</td></tr>
<tr><th>Expires</th><td>${batch.expiresIn < 0 ? 'never' : `in ${duration(batch.expiresIn)}`}</td></tr>
</table>
</section>`;
  return page(layout(context, 'Batches', '/batches', content));
};

function batchRow(batch: BatchRecord, now: number) {
  return html`<tr data-bid="${batch.bid}">
<td><a href="/batches/${encodeURIComponent(batch.bid)}">${batch.description || batch.bid}</a></td>
<td>${at(batch.createdAt, now)}</td>
<td class="total">${count(batch.total)}</td>
<td class="pending">${count(batch.pending)}</td>
<td class="failures">${count(batch.failures)}</td>
<td class="state">${state(batch)}</td>
</tr>`;
}

/** Succeeded, complete (with failures), dead (a member died), or running. */
function state(batch: BatchRecord): string {
  if (batch.successAt !== undefined) return 'succeeded';
  if (batch.completeAt !== undefined)
    return batch.deathAt !== undefined ? 'complete, a job died' : 'complete, with failures';
  if (batch.deathAt !== undefined) return 'running, a job died';
  return 'running';
}

function at(seconds: number, now: number) {
  const date = new Date(seconds * 1000);
  return html`<time datetime="${date.toISOString()}" title="${utc(date)}">${relativeTime(date, now)}</time>`;
}

/** A child batch links to its page; a job to the search of the retry or dead set by its jid. */
function memberLink(member: string, set: 'retries' | 'morgue') {
  if (member.startsWith('batch:')) {
    const bid = member.slice('batch:'.length);
    return html`<a href="/batches/${encodeURIComponent(bid)}">batch ${bid}</a>`;
  }
  return html`<a href="/${set}?text=${encodeURIComponent(member)}"><code>${member}</code></a>`;
}
