import { describe, expect, it } from 'vitest';
import { useRedis } from '../support/redis-fixture.js';
import type { RuntimeProcess } from '../support/runtime-process.js';

const fixture = useRedis();
const FAST_BEAT = ['--heartbeat', '0.25', '--process-ttl', '1'];

/** Node's default action for TTIN stops the process: one that still answers TERM was not frozen. */
async function dumpsAndStaysAlive(runtime: RuntimeProcess, jid: string): Promise<void> {
  await runtime.waitForLine(/INFO: start$/);
  runtime.child.kill('SIGTTIN');
  const line = await runtime.waitForLine(/running since/, 5000);
  expect(line).toContain(`"jid":"${jid}"`);
  expect(await runtime.stop('SIGTERM')).toBe(0);
}

describe('SIGTTIN, as Sidekiq: logs what every running job is doing', () => {
  it('in one process', async () => {
    const runtime = fixture.run([...FAST_BEAT, '-t', '1']);
    const jid = (await fixture.client.push({ class: 'Probe', args: ['hang'] }))!;
    await dumpsAndStaysAlive(runtime, jid);
    expect(runtime.output()).toMatch(/SIGTTIN received/);
  });

  it('with --threads: every thread logs its own', async () => {
    const runtime = fixture.run([...FAST_BEAT, '-t', '1', '--threads', '2']);
    const jid = (await fixture.client.push({ class: 'Probe', args: ['hang'] }))!;
    await dumpsAndStaysAlive(runtime, jid);
  });

  it('with --processes: the supervisor forwards it to its children', async () => {
    const runtime = fixture.run([...FAST_BEAT, '-t', '1', '--processes', '2']);
    const jid = (await fixture.client.push({ class: 'Probe', args: ['hang'] }))!;
    await dumpsAndStaysAlive(runtime, jid);
  });
});
