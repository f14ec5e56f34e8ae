/**
 * `/retries`, `/scheduled`, `/morgue`: a sorted set 25 entries a page (or a search's matches), with checkboxes
 * for actions on many entries, buttons for the whole set, and the actions on one entry that the job page posts.
 * Each action names entries by `<score>-<jid>` and touches only an entry still there, so a double click or a job
 * that moved meanwhile does nothing twice.
 */

import type { SidepunchApi } from '../../api/api.js';
import type { JobSet, SortedEntry } from '../../api/job-set.js';
import { entryKey, findByKey } from '../entry-key.js';
import { argsPreview, count, isoTime, jobCount, relativeTime, shortened } from '../format.js';
import { html } from '../html.js';
import { csrfField, layout, pagination, postButton } from '../layout.js';
import { type Handler, page, redirect, type WebContext, WebError } from '../web-context.js';
import { hereWithQuery, listingWindow, returnPath, searchForm, searchSummary } from './listing.js';

export type EntryAction = 'retry' | 'add_to_queue' | 'delete' | 'kill';

export interface SetView {
  readonly path: string;
  readonly title: string;
  readonly set: (api: SidepunchApi) => JobSet;
  /** Highest score first (the dead set: latest death on top). */
  readonly reverse: boolean;
  /** What the score means, as a column heading. */
  readonly when: string;
  readonly actions: readonly (readonly [EntryAction, string])[];
  readonly allActions: readonly (readonly [EntryAction, string])[];
  readonly showsError: boolean;
  readonly emptyText: string;
}

export const SET_VIEWS: Readonly<Record<string, SetView>> = {
  retries: {
    path: '/retries',
    title: 'Retries',
    set: (api) => api.retries,
    reverse: false,
    when: 'Next retry',
    actions: [
      ['retry', 'Retry Now'],
      ['delete', 'Delete'],
      ['kill', 'Kill'],
    ],
    allActions: [
      ['retry', 'Retry All'],
      ['delete', 'Delete All'],
      ['kill', 'Kill All'],
    ],
    showsError: true,
    emptyText: 'No jobs wait for a retry.',
  },
  scheduled: {
    path: '/scheduled',
    title: 'Scheduled',
    set: (api) => api.scheduled,
    reverse: false,
    when: 'When',
    actions: [
      ['add_to_queue', 'Add to Queue'],
      ['delete', 'Delete'],
    ],
    allActions: [
      ['add_to_queue', 'Add All to Queue'],
      ['delete', 'Delete All'],
    ],
    showsError: false,
    emptyText: 'No jobs are scheduled.',
  },
  morgue: {
    path: '/morgue',
    title: 'Dead',
    set: (api) => api.dead,
    reverse: true,
    when: 'Died',
    actions: [
      ['retry', 'Retry Now'],
      ['add_to_queue', 'Add to Queue'],
      ['delete', 'Delete'],
    ],
    allActions: [
      ['retry', 'Retry All'],
      ['delete', 'Delete All'],
    ],
    showsError: true,
    emptyText: 'No dead jobs.',
  },
};

/** The view of the set this request's path names. */
export function viewOf(context: WebContext): SetView {
  const name = context.path.split('/')[1] ?? '';
  const view = SET_VIEWS[name];
  if (!view) throw new WebError(404, `no set at ${context.path}`);
  return view;
}

export const setPage: Handler = async (context) => {
  const view = viewOf(context);
  const set = view.set(context.api);
  const size = await set.size();
  const window = await listingWindow(
    context,
    size,
    (start, n) => set.page(start, n, { reverse: view.reverse }),
    () => set.entries({ reverse: view.reverse, pageSize: 500 }),
  );
  const now = context.api.connection.clock.now();
  const here = hereWithQuery(view.path, context.query);
  // They act on the whole set, never on a search's matches: hidden while one is on, as Sidekiq's `unfiltered?`.
  const allButtons = view.allActions.map(([action, label]) =>
    postButton(context, `${view.path}/all`, label, {
      name: 'action',
      value: action,
      danger: action === 'delete' || action === 'kill',
      confirm: `${label}: ${jobCount(size)}?`,
    }),
  );
  const rows = window.entries.map((entry) => entryRow(view, entry, now));
  const content = html`<h1>${view.title} <small data-testid="set-size">${count(size)}</small></h1>
<div class="heading">${searchForm(view.path, window.filter)}<div class="actions">${size > 0 && !window.filter ? allButtons : ''}</div></div>
${window.result ? searchSummary(window.result, size) : ''}
${
  rows.length === 0
    ? html`<p class="empty">${window.filter ? 'No job matches.' : view.emptyText}</p>`
    : html`<form method="post" action="${view.path}" id="entries">${csrfField(context.csrfToken)}<input type="hidden" name="return" value="${here}">
<table class="list">
<thead><tr><th><input type="checkbox" data-check-all aria-label="select all on this page"></th><th>${view.when}</th><th>Job</th><th>Queue</th><th>Arguments</th>${view.showsError ? html`<th>Error</th>` : ''}</tr></thead>
<tbody>${rows}</tbody></table>
<p class="actions selected">With the selected: ${view.actions.map(
        ([action, label]) =>
          html`<button type="submit" name="action" value="${action}" class="${action === 'delete' || action === 'kill' ? 'danger' : ''}">${label}</button>`,
      )}</p>
</form>`
}
${pagination(view.path, context.query, window.page, window.total, window.perPage)}`;
  return page(layout(context, view.title, view.path, content));
};

function entryRow(view: SetView, entry: SortedEntry, now: number) {
  const key = entryKey(entry);
  const error = entry.errorClass ? `${entry.errorClass}: ${entry.errorMessage ?? ''}` : '';
  return html`<tr data-jid="${entry.jid ?? ''}">
<td><input type="checkbox" name="key" value="${key}" aria-label="select ${entry.jid ?? 'entry'}"></td>
<td><a href="${view.path}/${encodeURIComponent(key)}" title="${isoTime(entry.at)}">${relativeTime(entry.at, now)}</a>${entry.retryCount !== undefined ? html`<br><small>${entry.retryCount + 1} ${entry.retryCount === 0 ? 'failure' : 'failures'}</small>` : ''}</td>
<td><a class="class" href="${view.path}/${encodeURIComponent(key)}">${entry.displayClass ?? '(not a job)'}</a><br><small class="mono">${entry.jid ?? ''}</small></td>
<td><a href="/queues/${encodeURIComponent(entry.queue)}">${entry.queue}</a></td>
<td class="args mono">${argsPreview(entry.args)}</td>
${view.showsError ? html`<td class="error-text">${shortened(error, 200)}</td>` : ''}
</tr>`;
}

/** POST /<set>: the action on every checked entry. */
export const setAction: Handler = async (context) => {
  const view = viewOf(context);
  const action = actionOf(context, view);
  const back = returnPath(context.form.get('return'), view.path);
  const set = view.set(context.api);
  for (const key of context.form.getAll('key')) {
    const entry = await findByKey(set, key);
    if (entry) await perform(entry, action);
  }
  return redirect(back);
};

/** POST /<set>/all: the action on the whole set. */
export const setAllAction: Handler = async (context) => {
  const view = viewOf(context);
  const action = actionOf(context, view, view.allActions);
  const set = view.set(context.api);
  if (action === 'retry') await set.retryAll();
  else if (action === 'add_to_queue') await set.addAllToQueue();
  else if (action === 'kill') await set.killAll();
  else await set.clear();
  return redirect(view.path);
};

/** POST /<set>/<key>: the action on one entry, from its job page. */
export const entryAction: Handler = async (context) => {
  const view = viewOf(context);
  const action = actionOf(context, view);
  const entry = await findByKey(view.set(context.api), context.params[0]!);
  if (entry) await perform(entry, action);
  return redirect(view.path);
};

function actionOf(
  context: WebContext,
  view: SetView,
  allowed: SetView['actions'] = view.actions,
): EntryAction {
  const asked = context.form.get('action');
  const found = allowed.find(([action]) => action === asked);
  if (!found) {
    const names = allowed.map(([action]) => action).join(', ');
    throw new WebError(400, `unknown action ${asked ?? '(none)'} for ${view.title}: one of ${names}`);
  }
  return found[0];
}

async function perform(entry: SortedEntry, action: EntryAction): Promise<void> {
  // Entries that are not job objects cannot go to a queue; they stay for delete or kill.
  if ((action === 'retry' || action === 'add_to_queue') && !entry.isJob) return;
  if (action === 'retry') await entry.retry();
  else if (action === 'add_to_queue') await entry.addToQueue();
  else if (action === 'kill') await entry.kill();
  else await entry.delete();
}
