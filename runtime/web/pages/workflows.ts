/**
 * `/workflows` and `/workflows/<id>`: the workflows (docs/workflows.md), newest first, with their root's class,
 * state and node counts; a workflow's page shows its tree, each node with its class, arguments and state (a dead
 * node linked to the dead set's search, a retrying one to the retry set's). The same data as `api.workflows`.
 */
import type { FlowNodeRecord, FlowRecord } from '../../api/flow-set.js';
import { count, duration, relativeTime, utc } from '../format.js';
import { html } from '../html.js';
import { layout } from '../layout.js';
import { type Handler, page, WebError } from '../web-context.js';

export const workflowsPage: Handler = async (context) => {
  const { api } = context;
  const flows = await api.workflows.all();
  const now = api.connection.clock.now();
  const content = html`<h1>Workflows <small>${count(flows.length)}</small></h1>
<section class="panel">
${
  flows.length === 0
    ? html`<p class="empty">No workflows: push one with <code>jobs.Parent.after([jobs.Child.child(…)], …)</code> (docs/workflows.md). Workflows expire 7 days after their root finished.</p>`
    : html`<table class="list" id="workflows">
<thead><tr><th>Workflow</th><th>Pushed</th><th>Nodes</th><th>Succeeded</th><th>Dead</th><th>State</th></tr></thead>
<tbody>${flows.map((flow) => flowRow(flow, now))}</tbody>
</table>`
}
</section>`;
  return page(layout(context, 'Workflows', '/workflows', content));
};

export const workflowPage: Handler = async (context) => {
  const { api } = context;
  const id = context.params[0]!;
  const flow = await api.workflows.get(id);
  if (!flow) throw new WebError(404, `no workflow ${id} (it expired, or never existed)`);
  const now = api.connection.clock.now();
  const counts = Object.entries(flow.counts)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const content = html`<h1>Workflow <small>${flow.tree.class}</small></h1>
<section class="panel">
<table class="detail" id="workflow">
<tr><th>Id</th><td>${flow.id}</td></tr>
<tr><th>State</th><td class="state">${flow.state}</td></tr>
<tr><th>Nodes</th><td class="total">${count(flow.total)} (${counts})</td></tr>
<tr><th>Pushed</th><td>${at(flow.pushedAt, now)}</td></tr>
<tr><th>Expires</th><td>${flow.expiresIn < 0 ? 'never' : `in ${duration(flow.expiresIn)}`}</td></tr>
</table>
</section>
<section class="panel">
<h2>Tree</h2>
<ul class="tree" id="tree">${treeNode(flow.tree)}</ul>
</section>`;
  return page(layout(context, 'Workflows', '/workflows', content));
};

function flowRow(flow: FlowRecord, now: number) {
  return html`<tr data-flow="${flow.id}">
<td><a href="/workflows/${encodeURIComponent(flow.id)}">${flow.tree.class}</a> <code>${flow.id}</code></td>
<td>${at(flow.pushedAt, now)}</td>
<td class="total">${count(flow.total)}</td>
<td class="succeeded">${count(flow.counts.succeeded ?? 0)}</td>
<td class="dead">${count(flow.counts.dead ?? 0)}</td>
<td class="state">${flow.state}</td>
</tr>`;
}

/** One node and its children, nested. */
function treeNode(node: FlowNodeRecord): ReturnType<typeof html> {
  return html`<li data-jid="${node.jid}"><span class="state state-${node.state}">${node.state}</span> <strong>${node.class}</strong>(${JSON.stringify(node.args).slice(1, -1)}) ${jidLink(node)}${
    node.children.length > 0 ? html`<ul>${node.children.map(treeNode)}</ul>` : ''
  }</li>`;
}

/** A dead node links to the dead set's search, a retrying one to the retry set's. */
function jidLink(node: FlowNodeRecord) {
  const set = node.state === 'dead' ? 'morgue' : node.state === 'retrying' ? 'retries' : undefined;
  if (!set) return html`<code>${node.jid}</code>`;
  return html`<a href="/${set}?text=${encodeURIComponent(node.jid)}"><code>${node.jid}</code></a>`;
}

function at(seconds: number, now: number) {
  const date = new Date(seconds * 1000);
  return html`<time datetime="${date.toISOString()}" title="${utc(date)}">${relativeTime(date, now)}</time>`;
}
