/**
 * A job that ends the process itself (process.exit) must not look like a clean stop to a restart-on-failure
 * supervisor: sidepunch-run exits non-zero and says which job did it.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { REPO_ROOT } from '../support/runtime-process.js';

const fixture = useRedis();
const UNRULY = `${REPO_ROOT}fixtures/registries/unruly.mjs`;

describe('a job that calls process.exit', () => {
  it('process.exit(0) makes sidepunch-run exit 1, with one line naming the job', async () => {
    const jid = await fixture.client.push({ class: 'Exits', args: [0] });
    const runtime = fixture.run([], { registry: UNRULY });
    expect(await runtime.exited).toBe(1);
    expect(runtime.output()).toMatch(
      new RegExp(`sidepunch-run: job Exits jid=${jid} ended the process with exit code 0 .*exiting with 1`),
    );
  });

  it('process.exit() with no code makes sidepunch-run exit 1 as well', async () => {
    await fixture.client.push({ class: 'Exits', args: [] });
    const runtime = fixture.run([], { registry: UNRULY });
    expect(await runtime.exited).toBe(1);
    expect(runtime.output()).toMatch(/job Exits jid=\w+ ended the process/);
  });

  it('process.exit(3) keeps its code, and the job is named', async () => {
    await fixture.client.push({ class: 'Exits', args: [3] });
    const runtime = fixture.run([], { registry: UNRULY });
    expect(await runtime.exited).toBe(3);
    expect(runtime.output()).toMatch(/job Exits jid=\w+ ended the process with exit code 3/);
  });

  it('a jid with a newline cannot forge a line in what it writes', async () => {
    await fixture.redis.lpush(
      'queue:default',
      '{"class":"Exits","args":[0],"jid":"x\\n2026-01-01T00:00:00.000Z pid=1 INFO: forged","queue":"default"}',
    );
    const runtime = fixture.run([], { registry: UNRULY });
    expect(await runtime.exited).toBe(1);
    expect(runtime.output()).toContain(
      'job Exits jid=x\\n2026-01-01T00:00:00.000Z pid=1 INFO: forged ended the process',
    );
    expect(runtime.output()).not.toMatch(/^2026-01-01T00:00:00.000Z pid=1 INFO: forged/m);
  });

  it('a clean stop still exits 0, with no such line', async () => {
    const runtime = fixture.run([], { registry: UNRULY });
    await runtime.waitForLine(/identity=/);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    expect(runtime.output()).not.toMatch(/ended the process/);
  });
});
