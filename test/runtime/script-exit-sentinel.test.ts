/**
 * On a Sentinel group, a one-off script that enqueues exits by itself too: neither the primary's socket nor the
 * failover detector's (one per Sentinel) hold it open. The detector still works: after a planned failover, while the
 * script idles, its next push lands on the new primary rather than on the demoted one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../scripts/redis-server.js';
import { requireBuiltDist, requireRedisSentinel } from '../support/required-tool.js';
import { REPO_ROOT, type RuntimeProcess, startProcess, waitUntil } from '../support/runtime-process.js';
import { MASTER_NAME, type SentinelGroup, startSentinelGroup } from '../support/sentinel-group.js';

const SIDEPUNCH = pathToFileURL(`${REPO_ROOT}dist/runtime/index.js`).href;
const dir = mkdtempSync(path.join(tmpdir(), 'sidepunch-scripts-'));
const started: RuntimeProcess[] = [];
let group: SentinelGroup | undefined;

const sentinel = requireRedisSentinel();
const built = requireBuiltDist(['dist/runtime/index.js']);

beforeAll(async () => {
  if (!sentinel.missing) group = await startSentinelGroup();
}, 60_000);
afterAll(async () => {
  for (const script of started) await script.stop('SIGKILL');
  await group?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runScript(name: string, body: string, url = group!.url): RuntimeProcess {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, body.replaceAll("from 'sidepunch'", `from '${SIDEPUNCH}'`));
  const script = startProcess(process.execPath, [file], { ...process.env, REDIS_URL: url });
  started.push(script);
  return script;
}

/** A connection to the Redis the Sentinels name as primary now. */
async function primary(): Promise<Redis> {
  return new Redis(await group!.primaryPort(), '127.0.0.1', { lazyConnect: true });
}

sentinel.describe(built.title('a script that enqueues on a Sentinel group'), () => {
  it.skipIf(built.missing !== undefined)('exits 0 by itself, the job on the primary', async () => {
    const script = runScript(
      'sentinel-push',
      `import { push } from 'sidepunch';
console.log(\`pushed \${await push({ class: 'SendEmail', args: [] })}\`);
`,
    );
    expect(await script.exited).toBe(0);
    const jid = /pushed ([0-9a-f]{24})/.exec(script.output())![1]!;
    const redis = await primary();
    expect(await redis.lrange('queue:default', 0, -1)).toEqual([expect.stringContaining(jid)]);
    redis.disconnect();
  });

  it.skipIf(built.missing !== undefined)(
    'a script that reads through the data API and a limiter exits once it closes them',
    async () => {
      const script = runScript(
        'sentinel-api',
        `import { limiter, SidepunchApi } from 'sidepunch';
const api = new SidepunchApi();
console.log(\`enqueued \${(await api.stats.summary()).enqueued}\`);
await api.close();
const calls = limiter.concurrent('sentinel-script', { limit: 1 });
await calls.within(undefined, () => {});
await calls.close();
`,
      );
      const late = new Promise((resolve) => setTimeout(() => resolve('still running 10 s later'), 10_000));
      expect(await Promise.race([script.exited, late])).toBe(0);
      expect(script.output()).toMatch(/enqueued \d+/);
    },
  );

  it.skipIf(built.missing !== undefined)(
    'one Sentinel of the URL unreachable: it still exits at once, not after the detector retries it',
    async () => {
      const url = group!.url.replace(`/${MASTER_NAME}`, `,127.0.0.1:${await freePort()}/${MASTER_NAME}`);
      const script = runScript(
        'sentinel-one-down',
        `import { push } from 'sidepunch';
await push({ class: 'SendEmail', args: [] });
`,
        url,
      );
      expect(await script.exited).toBe(0);
    },
  );

  it.skipIf(built.missing !== undefined)(
    'after a planned failover while it idles, its next push goes to the new primary',
    async () => {
      const script = runScript(
        'sentinel-failover',
        `import { push } from 'sidepunch';
await push({ class: 'SendEmail', args: ['before'] });
const wait = setInterval(() => {}, 60_000);
process.once('SIGUSR2', async () => {
  clearInterval(wait);
  console.log(\`pushed \${await push({ class: 'SendEmail', args: ['after'] })}\`);
});
console.log('first push saved');
`,
      );
      await script.waitForLine(/first push saved/);
      const before = await group!.primaryPort();
      const admin = new Redis(group!.sentinelPorts[0]!, '127.0.0.1');
      await admin.call('SENTINEL', 'FAILOVER', MASTER_NAME);
      admin.disconnect();
      await waitUntil(
        'the Sentinels to name the new primary',
        async () => (await group!.primaryPort()) !== before,
      );
      // The detector hears +switch-master and drops the idle connection to the old primary, which Sentinel has not
      // demoted yet: a push through it would be lost once it is.
      const old = group!.primary.connect();
      const connected = async () => ((await old.client('LIST')) as string).includes('name=sidepunch-client');
      await waitUntil('the script to leave the old primary', async () => !(await connected()));
      expect(await old.role()).toContain('master');
      old.disconnect();
      script.child.kill('SIGUSR2');
      expect(await script.exited).toBe(0);
      const jid = /pushed ([0-9a-f]{24})/.exec(script.output())![1]!;
      const redis = await primary();
      expect((await redis.lrange('queue:default', 0, -1)).some((raw) => raw.includes(jid))).toBe(true);
      redis.disconnect();
    },
  );
});
