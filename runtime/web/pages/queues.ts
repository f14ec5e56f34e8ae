/**
 * `/queues` (every queue: size, latency, clear) and `/queues/<name>` (its jobs, newest first, 25 a page or `?count=`,
 * with search and delete, and a unique job's lock). A job is named in forms by its position and jid (a digest of its
 * bytes without one, entry-key.ts); the delete removes that exact payload, or nothing if it has been fetched meanwhile,
 * and goes back to the page (or the search) it was on, as Sidekiq's does.
 */
import type { Queue, QueueJob } from '../../api/queue.js';
import type { UniqueLockState } from '../../api/unique-lock.js';
import { hasId, recordId } from '../entry-key.js';
import { argsPreview, count, isoTime, jobCount, jsonBlock, latency, relativeTime } from '../format.js';
import { html } from '../html.js';
import { csrfField, layout, pagination, postButton } from '../layout.js';
import { uniqueLockText } from '../unique-lock-text.js';
import { type Handler, page, redirect, WebError } from '../web-context.js';
import { hereWithQuery, listingWindow, returnPath, searchForm, searchSummary } from './listing.js';

/** How far around the given position a delete looks for the job, since pushes and fetches shift positions. */
const DELETE_LOOKAROUND = 200;

export const queuesPage: Handler = async (context) => {
  const { api } = context;
  const queues = await api.queues();
  const rows = await Promise.all(
    queues.map(async (queue) => ({
      name: queue.name,
      size: await queue.size(),
      latency: await queue.latency(),
    })),
  );
  const content = html`<h1>Queues</h1>
${
  rows.length === 0
    ? html`<p class="empty">No queues yet: a queue appears with its first job.</p>`
    : html`<table class="list" id="queues">
<thead><tr><th>Queue</th><th class="number">Size</th><th class="number">Latency</th><th></th></tr></thead>
<tbody>${rows.map(
        (row) => html`<tr data-queue="${row.name}">
<td><a href="/queues/${encodeURIComponent(row.name)}">${row.name}</a></td>
<td class="number" data-testid="size">${count(row.size)}</td>
<td class="number">${latency(row.latency)}</td>
<td class="actions">${postButton(context, `/queues/${encodeURIComponent(row.name)}`, 'Delete', {
          name: 'action',
          value: 'delete',
          danger: true,
          confirm: `Delete the queue ${row.name} and its ${jobCount(row.size)}?`,
        })}</td>
</tr>`,
      )}</tbody>
</table>`
}`;
  return page(layout(context, 'Queues', '/queues', content));
};

export const queuePage: Handler = async (context) => {
  const { api, params, query } = context;
  const queue = api.queue(params[0]);
  const path = `/queues/${encodeURIComponent(queue.name)}`;
  const [size, wait] = await Promise.all([queue.size(), queue.latency()]);
  const window = await listingWindow(
    context,
    size,
    (start, n) => queue.page(start, n),
    () => queue.jobs({ pageSize: 500 }),
  );
  const now = api.connection.clock.now();
  const here = hereWithQuery(path, query);
  // A unique job's lock, read for the jobs shown (those that name one: most jobs are not unique).
  const locks = await Promise.all(window.entries.map((job) => (job.isJob ? api.uniqueLock(job) : undefined)));
  const rows = window.entries.map((job, i) =>
    jobRow(context, path, here, job, window.offset + i, now, locks[i]),
  );
  const content = html`<h1>Queue <span class="mono">${queue.name}</span></h1>
<div class="heading"><p>${jobCount(size)}, latency ${latency(wait)}</p>
<div class="actions">${postButton(context, path, 'Delete queue', {
    name: 'action',
    value: 'delete',
    danger: true,
    confirm: `Delete the queue ${queue.name} and its ${jobCount(size)}?`,
  })}</div></div>
${searchForm(path, window.filter)}
${window.result ? searchSummary(window.result, size) : ''}
${
  rows.length === 0
    ? html`<p class="empty">${window.filter ? 'No job matches.' : 'This queue is empty.'}</p>`
    : html`<table class="list" id="jobs">
<thead><tr><th>Job</th><th>Arguments</th><th>Enqueued</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`
}
${pagination(path, query, window.page, window.total, window.perPage)}`;
  return page(layout(context, `Queue ${queue.name}`, '/queues', content));
};

function jobRow(
  context: Parameters<Handler>[0],
  path: string,
  here: string,
  job: QueueJob,
  index: number,
  now: number,
  lock: UniqueLockState | undefined,
) {
  const enqueued = job.enqueuedAt;
  return html`<tr data-jid="${job.jid ?? ''}">
<td><span class="class">${job.displayClass ?? '(not a job)'}</span><br><small class="mono">${job.jid ?? ''}</small>${lock ? html`<br><small class="unique-lock" title="${lock.key}">Unique lock: ${uniqueLockText(lock, job.jid)}</small>` : ''}</td>
<td class="args mono"><details><summary>${argsPreview(job.args)}</summary><pre>${jsonBlock(job.isJob ? job.item : job.value)}</pre></details></td>
<td>${enqueued ? html`<span title="${isoTime(enqueued)}">${relativeTime(enqueued, now)}</span>` : ''}</td>
<td class="actions"><form method="post" action="${path}/delete" class="inline">${csrfField(context.csrfToken)}<input type="hidden" name="index" value="${index}"><input type="hidden" name="jid" value="${recordId(job)}"><input type="hidden" name="return" value="${here}"><button type="submit" class="danger">Delete</button></form></td>
</tr>`;
}

/** POST /queues/<name>: `action=delete` removes the whole queue. */
export const clearQueue: Handler = async ({ api, params, form }) => {
  if (form.get('action') !== 'delete') throw new WebError(400, 'the only action on a queue is delete');
  await api.queue(params[0]).clear();
  return redirect('/queues');
};

/** POST /queues/<name>/delete: removes the job with `jid` (a `recordId`) found near position `index`. */
export const deleteQueueJob: Handler = async ({ api, params, form, settings }) => {
  const queue = api.queue(params[0]);
  const back = returnPath(form.get('return'), `/queues/${encodeURIComponent(queue.name)}`);
  const jid = form.get('jid');
  const index = Number(form.get('index'));
  if (!jid || !Number.isSafeInteger(index) || index < 0)
    throw new WebError(400, 'say which job: index and jid');
  const start = Math.max(0, index - DELETE_LOOKAROUND);
  const nearby = await queue.page(start, 2 * DELETE_LOOKAROUND + 1);
  const job =
    nearby.find((candidate) => hasId(candidate, jid)) ?? (await findWithin(queue, jid, settings.searchLimit));
  // Gone already (fetched, or deleted by someone else): nothing to do, and nothing else is touched.
  if (job) await job.delete();
  return redirect(back);
};

/** The job with `jid` among the first `limit` of the queue: a job fetched meanwhile is not chased through it all. */
async function findWithin(queue: Queue, jid: string, limit: number): Promise<QueueJob | undefined> {
  let read = 0;
  for await (const job of queue.jobs({ pageSize: 1000 })) {
    if (hasId(job, jid)) return job;
    if (++read >= limit) return undefined;
  }
  return undefined;
}
