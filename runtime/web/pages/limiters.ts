/**
 * `/limiters`: the limiters the fleet uses (docs/unique-and-limits.md): name, kind, limit, in use now, keys in use,
 * and how many jobs each rescheduled for being over it. The same data as `api.limiters`.
 */
import type { LimiterRecord } from '../../api/limiter-set.js';
import { count } from '../format.js';
import { html } from '../html.js';
import { layout } from '../layout.js';
import { type Handler, page } from '../web-context.js';

export const limitersPage: Handler = async (context) => {
  const limiters = await context.api.limiters.all();
  const content = html`<h1>Limiters <small>${count(limiters.length)}</small></h1>
<section class="panel">
${
  limiters.length === 0
    ? html`<p class="empty">No limiter has been used yet: declare one with the <code>limit</code> option or <code>limiter.window(…)</code> (docs/unique-and-limits.md).</p>`
    : html`<table class="list" id="limiters">
<thead><tr><th>Name</th><th>Kind</th><th>Limit</th><th>In use</th><th>Keys</th><th>Reschedules</th></tr></thead>
<tbody>${limiters.map(limiterRow)}</tbody>
</table>`
}
</section>`;
  return page(layout(context, 'Limiters', '/limiters', content));
};

function limiterRow(limiter: LimiterRecord) {
  const { options } = limiter;
  const per = options.kind === 'concurrent' ? 'at once' : `per ${options.per ?? 1} s`;
  const by = options.by ? html`<br><small>by argument ${options.by.join(', ')}</small>` : '';
  return html`<tr data-name="${limiter.name}">
<td><b>${limiter.name}</b>${by}</td>
<td>${limiter.kind}</td>
<td class="limit">${count(limiter.limit)} ${per}</td>
<td class="in-use">${count(limiter.inUse)}</td>
<td class="keys">${count(limiter.keys)}</td>
<td class="reschedules">${count(limiter.reschedules)}</td>
</tr>`;
}
