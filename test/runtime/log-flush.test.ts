/**
 * sidepunch-run holds its per-job lines for a few milliseconds (issue #25): a stop or an exit must still write every
 * one of them. Real processes, the default log level.
 */
import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import { waitUntil } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST = ['--heartbeat', '0.25', '--process-ttl', '1'];

describe("the default level's per-job lines", () => {
  it('are all written when SIGTERM stops the process right after the last job', async () => {
    const runtime = fixture.run([...FAST, '-c', '20']);
    const jids = await fixture.client.pushBulk({
      class: 'Probe',
      args: Array.from({ length: 300 }, () => ['args', 'flush']),
    });
    await waitUntil(
      '300 jobs processed',
      async () => Number(await fixture.redis.get('stat:processed')) === 300,
    );
    expect(await runtime.stop('SIGTERM')).toBe(0);
    const lines = runtime.output().split('\n');
    for (const jid of jids) {
      expect(lines.some((line) => line.includes(`jid=${jid} INFO: start`))).toBe(true);
      expect(lines.some((line) => new RegExp(`jid=${jid} elapsed=\\S+ INFO: done$`).test(line))).toBe(true);
    }
  });

  it('are written when a job ends the process with process.exit', async () => {
    const runtime = fixture.run([...FAST, '-c', '1']);
    const [before] = await fixture.client.pushBulk({ class: 'Probe', args: [['args', 'before']] });
    await waitUntil(
      'the first job processed',
      async () => Number(await fixture.redis.get('stat:processed')) === 1,
    );
    const exiting = await fixture.client.push({ class: 'Probe', args: ['exit-thread'] });
    expect(await runtime.exited).toBe(3);
    const output = runtime.output();
    expect(output).toMatch(new RegExp(`jid=${before} elapsed=\\S+ INFO: done\\n`));
    expect(output).toMatch(new RegExp(`jid=${exiting} INFO: start\\n`));
  });
});
