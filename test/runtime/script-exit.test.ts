/**
 * A one-off script that enqueues and returns exits by itself, as a Ruby script using Sidekiq::Client does, with its
 * jobs in Redis: the client's connection holds the process open only while a push is pending. Each script is a real
 * `node script.mjs` importing the built package; the tests await its exit, whatever time that takes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../scripts/redis-server.js';
import { useRedis } from '../support/redis-fixture.js';
import { requireBuiltDist } from '../support/required-tool.js';
import { REPO_ROOT, type RuntimeProcess, startProcess } from '../support/runtime-process.js';

const SIDEPUNCH = pathToFileURL(`${REPO_ROOT}dist/runtime/index.js`).href;
const fixture = useRedis();
const dir = mkdtempSync(path.join(tmpdir(), 'sidepunch-scripts-'));
const started: RuntimeProcess[] = [];
afterAll(async () => {
  for (const script of started) await script.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `body` as an ES module in which `sidepunch` is the built package. */
function runScript(name: string, body: string, redisUrl = fixture.server.url): RuntimeProcess {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, body.replaceAll("from 'sidepunch'", `from '${SIDEPUNCH}'`));
  const script = startProcess(process.execPath, [file], { ...process.env, REDIS_URL: redisUrl });
  started.push(script);
  return script;
}

const built = requireBuiltDist(['dist/runtime/index.js']);

built.describe('a script that only enqueues', () => {
  it('push and nothing else: exits 0 by itself, the job in Redis', async () => {
    const script = runScript(
      'push-only',
      `import { push } from 'sidepunch';
const jid = await push({ class: 'SendEmail', args: ['ada@example.com'] });
console.log(\`pushed \${jid}\`);
`,
    );
    expect(await script.exited).toBe(0);
    const jid = /pushed ([0-9a-f]{24})/.exec(script.output())![1]!;
    const [payload] = await fixture.redis.lrange('queue:default', 0, -1);
    expect(JSON.parse(payload!)).toMatchObject({ class: 'SendEmail', jid, args: ['ada@example.com'] });
  });

  it('the generated stubs (the default client): performAsync, performIn and performBulk, then exits 0', async () => {
    const script = runScript(
      'stubs',
      `import { workerStub } from 'sidepunch';
// What sidepunch-gen writes in sidepunch.generated.ts.
const jobs = { SendEmail: workerStub('SendEmail', { queue: 'mail' }) };
await jobs.SendEmail.performAsync('ada@example.com');
await jobs.SendEmail.performIn(60, 'later@example.com');
await jobs.SendEmail.performBulk([['a@example.com'], ['b@example.com']]);
`,
    );
    expect(await script.exited).toBe(0);
    expect(await fixture.redis.llen('queue:mail')).toBe(3);
    expect(await fixture.redis.zcard('schedule')).toBe(1);
  });

  it('pushes in a setTimeout chain with idle gaps between them: every push is saved, then it exits 0', async () => {
    const script = runScript(
      'timer-chain',
      `import { push } from 'sidepunch';
let n = 0;
const next = async () => {
  await push({ class: 'Tick', args: [n] });
  if (++n < 5) setTimeout(next, 200);
};
setTimeout(next, 200);
`,
    );
    expect(await script.exited).toBe(0);
    const ticks = await fixture.redis.lrange('queue:default', 0, -1);
    expect(ticks.map((raw) => JSON.parse(raw).args[0]).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('close() still ends it at once, and is still the clean shutdown', async () => {
    const script = runScript(
      'close',
      `import { push, close } from 'sidepunch';
await push({ class: 'SendEmail', args: [] });
await close();
`,
    );
    expect(await script.exited).toBe(0);
    expect(await fixture.redis.llen('queue:default')).toBe(1);
  });

  it('Redis slow to answer: the process waits for the pending push, which is saved', async () => {
    // Writes wait until the pause ends: the push is pending for up to 3 s.
    await fixture.redis.call('CLIENT', 'PAUSE', '3000', 'WRITE');
    const script = runScript(
      'slow-redis',
      `import { Client } from 'sidepunch';
const jid = await new Client({ pushTimeout: 30 }).push({ class: 'SendEmail', args: [] });
console.log(\`saved \${jid}\`);
`,
    );
    expect(await script.exited).toBe(0);
    expect(script.output()).toMatch(/saved [0-9a-f]{24}/);
    expect(await fixture.redis.llen('queue:default')).toBe(1);
  });

  it('a connection Redis closed while the script idled: the next push opens a new one', async () => {
    // The script's own handle (as a server's would) keeps it alive until SIGUSR2.
    const script = runScript(
      'reopen',
      `import { push } from 'sidepunch';
await push({ class: 'Tick', args: [0] });
const wait = setInterval(() => {}, 60_000);
process.once('SIGUSR2', async () => {
  clearInterval(wait);
  await push({ class: 'Tick', args: [1] });
  console.log('second push saved');
});
console.log('first push saved');
`,
    );
    await script.waitForLine(/first push saved/);
    const clients = (await fixture.redis.client('LIST')) as string;
    const id = /id=(\d+) .*name=sidepunch-client/.exec(clients)![1]!;
    await fixture.redis.client('KILL', 'ID', id);
    script.child.kill('SIGUSR2');
    expect(await script.exited).toBe(0);
    expect(script.output()).toContain('second push saved');
    expect(await fixture.redis.llen('queue:default')).toBe(2);
  });

  it('Redis down: the push fails loudly (PushError, exit 1) instead of the script ending as if it had saved', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}/0`;
    const script = runScript(
      'redis-down',
      `import { push } from 'sidepunch';
await push({ class: 'SendEmail', args: [] });
console.log('pushed');
`,
      nobody,
    );
    expect(await script.exited).toBe(1);
    expect(script.output()).toMatch(/PushError: could not save 1 job\(s\) to redis:\/\/127\.0\.0\.1:\d+\/0/);
    expect(script.output()).not.toMatch(/^pushed$/m);
  });

  it('Redis down, the PushError caught: the script still exits by itself (no reconnect loop holds it)', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}/0`;
    const script = runScript(
      'redis-down-caught',
      `import { push } from 'sidepunch';
await push({ class: 'SendEmail', args: [] }).catch((error) => console.log(\`caught \${error.name}\`));
`,
      nobody,
    );
    expect(await script.exited).toBe(0);
    expect(script.output()).toContain('caught PushError');
  });
});
