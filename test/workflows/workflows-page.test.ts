/** The data API's workflows and the dashboard's Workflows pages: the tree with each node's state. */
import { afterEach, describe, expect, it } from 'vitest';
import { SidepunchApi } from '../../runtime/api/api.js';
import type { FlowNode } from '../../runtime/core/flow.js';
import { startWebServer, type WebServer } from '../../runtime/index.js';
import { useRedis } from '../support/redis-fixture.js';

const fixture = useRedis();
let web: WebServer | undefined;

afterEach(async () => {
  await web?.close();
  web = undefined;
});

const node = (className: string, args: unknown[], children: FlowNode[] = []): FlowNode => ({
  className,
  options: {},
  args,
  children,
});

/** A depth-3 workflow: Report over Summarize (over two Fetches) and a Count. */
function pushTree(): Promise<string> {
  return fixture.client.pushFlow(
    node(
      'Report',
      ['weekly'],
      [
        node('Summarize', ['news'], [node('Fetch', ['https://a']), node('Fetch', ['https://b'])]),
        node('Count', ['text']),
      ],
    ),
  );
}

describe('workflows in the data API and the dashboard', () => {
  it('api.workflows: the tree as pushed, each node with its state', async () => {
    const id = await pushTree();
    const api = new SidepunchApi({ redis: fixture.redis });
    const flow = await api.workflows.get(id);
    expect(flow).toMatchObject({
      id,
      state: 'waiting',
      total: 5,
      counts: { waiting: 2, pending: 3 },
      tree: {
        jid: id,
        class: 'Report',
        args: ['weekly'],
        state: 'waiting',
        children: [
          { class: 'Summarize', state: 'waiting', children: [{ class: 'Fetch', state: 'pending' }, {}] },
          { class: 'Count', args: ['text'], state: 'pending', children: [] },
        ],
      },
    });
    expect(flow?.expiresIn).toBeGreaterThan(29 * 24 * 3600);
    expect((await api.workflows.all()).map((record) => record.id)).toEqual([id]);
    expect(await api.workflows.get('nope')).toBeUndefined();
  });

  it('the Workflows pages list each workflow and show its tree with states', async () => {
    const id = await pushTree();
    const api = new SidepunchApi({ redis: fixture.redis });
    const count = (await api.workflows.get(id))!.tree.children[1]!;
    // As the runtime would have settled it: the Count child went to the dead set.
    await fixture.redis.hset(`sidepunch:flow:${id}:state`, count.jid, 'dead');
    web = await startWebServer({ redis: fixture.server.url, port: 0 });
    const list = await (await fetch(`${web.url}/workflows`)).text();
    expect(list).toContain('<a href="/workflows" class="active" aria-current="page">Workflows</a>');
    const row = list.slice(list.indexOf(`<tr data-flow="${id}">`));
    expect(row).toMatch(/<td class="total">5<\/td>/);
    expect(row).toMatch(/<td class="dead">1<\/td>/);
    expect(row).toMatch(/<td class="state">waiting<\/td>/);
    const detail = await (await fetch(`${web.url}/workflows/${id}`)).text();
    expect(detail).toContain(
      `<li data-jid="${count.jid}"><span class="state state-dead">dead</span> <strong>Count</strong>(&quot;text&quot;) <a href="/morgue?text=${count.jid}"><code>${count.jid}</code></a></li>`,
    );
    expect(detail.match(/<strong>Fetch<\/strong>/g)).toHaveLength(2);
    // The dead node's link finds its job in the dead set, beside another dead job.
    for (const [jid, args] of [
      [count.jid, ['text']],
      ['0123456789abcdef01234567', ['other']],
    ] as const) {
      await fixture.redis.zadd(
        'dead',
        1_800_000_000,
        JSON.stringify({ class: 'Count', args, jid, queue: 'default' }),
      );
    }
    const found = await (await fetch(`${web.url}/morgue?text=${count.jid}`)).text();
    expect([...found.matchAll(/<tr data-jid="(\w+)">/g)].map(([, jid]) => jid)).toEqual([count.jid]);
    expect((await fetch(`${web.url}/workflows/nope`)).status).toBe(404);
  });

  it('says how to push one when there is none', async () => {
    web = await startWebServer({ redis: fixture.server.url, port: 0 });
    expect(await (await fetch(`${web.url}/workflows`)).text()).toContain('No workflows');
  });
});
