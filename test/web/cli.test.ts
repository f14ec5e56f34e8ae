import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsBody } from '../../runtime/web/pages/stats-json.js';
import {
  LOOPBACK_HOSTS,
  MALFORMED_HOSTS,
  REBINDING_HOSTS,
  statusesByHost,
  statusesThroughProxy,
} from '../support/host-header.js';
import { useRedis } from '../support/redis-fixture.js';
import {
  PROBE_REGISTRY,
  REPO_ROOT,
  type RuntimeProcess,
  startProcess,
  startRuntime,
  waitUntil,
} from '../support/runtime-process.js';

const WEB_BIN = `${REPO_ROOT}bin/sidepunch-web.js`;
const fixture = useRedis();
const started: RuntimeProcess[] = [];

afterEach(async () => {
  for (const web of started.splice(0)) await web.stop('SIGKILL');
});

function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { SIDEPUNCH_WEB_AUTH, SIDEPUNCH_WEB_TOKEN, SIDEPUNCH_WEB_PUBLIC_URL, ...rest } = process.env;
  return { ...rest, REDIS_URL: fixture.server.url, ...env };
}

/** Starts `sidepunch-web --port 0 <args>` and resolves with the process and the URL it printed. */
async function startWeb(args: readonly string[], env?: NodeJS.ProcessEnv) {
  const web = startProcess(process.execPath, [WEB_BIN, '--port', '0', ...args], cleanEnv(env));
  started.push(web);
  const line = await web.waitForLine(/^Sidepunch dashboard at /, 10_000);
  const url = /at (http:\/\/\S+) /.exec(line)![1]!;
  return { web, line, url };
}

function runWeb(args: readonly string[], env?: NodeJS.ProcessEnv) {
  // A flag wrongly accepted starts a server: the timeout ends it, and the test fails instead of hanging.
  return spawnSync(process.execPath, [WEB_BIN, ...args], {
    encoding: 'utf8',
    env: cleanEnv(env),
    timeout: 15_000,
  });
}

/** Every name that is not this machine is refused with 403, and every way of writing this machine is served. */
async function expectOnlyLoopbackHosts(url: string): Promise<void> {
  const refused = [...REBINDING_HOSTS, ...MALFORMED_HOSTS, undefined];
  expect(await statusesByHost(url, refused)).toEqual(
    Object.fromEntries(refused.map((host) => [host ?? '(none)', 403])),
  );
  expect(await statusesByHost(url, LOOPBACK_HOSTS)).toEqual(
    Object.fromEntries(LOOPBACK_HOSTS.map((host) => [host, 200])),
  );
}

const basic = (credentials: string) => ({
  authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
});

describe('sidepunch-web', () => {
  it('prints where it listens and serves /stats in Sidekiq format with the counts of the jobs pushed', async () => {
    await fixture.client.push({ class: 'Probe', args: ['ok', 'a'] });
    await fixture.client.push({ class: 'Probe', args: ['ok', 'b'] });
    await fixture.client.push({ class: 'Probe', args: ['ok', 'c'], in: 600 });
    const { line, url } = await startWeb([]);
    expect(line).toBe(`Sidepunch dashboard at ${url} (Redis: ${fixture.server.url})`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const response = await fetch(`${url}/stats`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      sidekiq: { processed: 0, failed: 0, enqueued: 2, scheduled: 1, retries: 0, dead: 0, busy: 0 },
      redis: { redis_version: expect.any(String) },
      server_utc_time: expect.stringMatching(/^\d\d:\d\d:\d\d UTC$/),
    });
  });

  it('serves only Hosts that name this machine, so a rebound name (127.0.0.1.evil.example) is refused', async () => {
    const { url } = await startWeb([]);
    await expectOnlyLoopbackHosts(url);
  });

  it('with --auth, asks for HTTP Basic credentials and never prints the password', async () => {
    const { web, url } = await startWeb(['--auth', 'admin:s3cret-pass']);
    const refused = await fetch(`${url}/stats`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await fetch(`${url}/stats`, { headers: basic('admin:wrong') })).status).toBe(401);
    expect((await fetch(`${url}/stats`, { headers: basic('admin:s3cret-pass') })).status).toBe(200);
    expect(web.output()).not.toContain('s3cret-pass');
  });

  it('with --token, accepts it as a bearer token', async () => {
    const token = 'a-long-token-0123456789';
    const { web, url } = await startWeb(['--token', token]);
    expect((await fetch(`${url}/stats`)).status).toBe(401);
    const wrong = { authorization: 'Bearer a-long-token-9999999999' };
    expect((await fetch(`${url}/stats`, { headers: wrong })).status).toBe(401);
    const right = { authorization: `Bearer ${token}` };
    expect((await fetch(`${url}/stats`, { headers: right })).status).toBe(200);
    expect(web.output()).not.toContain(token);
  });

  it('reads SIDEPUNCH_WEB_AUTH, and a flag wins over it', async () => {
    const fromEnv = await startWeb([], { SIDEPUNCH_WEB_AUTH: 'ops:from-env' });
    expect((await fetch(`${fromEnv.url}/stats`)).status).toBe(401);
    expect((await fetch(`${fromEnv.url}/stats`, { headers: basic('ops:from-env') })).status).toBe(200);

    const flagged = await startWeb(['--auth', 'ops:from-flag'], { SIDEPUNCH_WEB_AUTH: 'ops:from-env' });
    expect((await fetch(`${flagged.url}/stats`, { headers: basic('ops:from-env') })).status).toBe(401);
    expect((await fetch(`${flagged.url}/stats`, { headers: basic('ops:from-flag') })).status).toBe(200);
  });

  it('loads --registry, and answers --help and --version', async () => {
    const { url } = await startWeb(['--registry', PROBE_REGISTRY, '--poll', '2']);
    expect((await fetch(`${url}/stats`)).status).toBe(200);
    const help = runWeb(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sidepunch-web \[options\]/);
    expect(help.stdout).toContain('--auth USER:PASS');
    for (const flag of ['-V', '--version']) {
      const version = runWeb([flag]);
      expect(version.status).toBe(0);
      expect(version.stdout).toMatch(/^sidepunch-web \d+\.\d+\.\d+\n$/);
    }
  });

  it('-v logs each request with its status and time, and never the query string (it may hold the token)', async () => {
    const token = 'a-long-token-0123456789';
    const { web, url } = await startWeb(['-v', '--token', token]);
    expect((await fetch(`${url}/queues?token=${token}`, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${url}/stats`)).status).toBe(401);
    await web.waitForLine(/DEBUG: GET \/queues 303 \d+ms$/);
    await web.waitForLine(/DEBUG: GET \/stats 401 \d+ms$/);
    expect(web.output()).not.toContain(token);
  });

  it.each([
    [['--bogus'], 'unknown flag --bogus'],
    [['--port', '70000'], 'port must be a port number from 0 to 65535, not "70000"'],
    [['--port'], 'flag --port needs a value'],
    [['--poll', '0'], 'poll must be a number of seconds more than 0, not "0"'],
    // Past a day, a browser's timer overflows and polls without pause.
    [['--poll', '3000000'], 'poll must be at most 86400 seconds (a day), not "3000000"'],
    [['--redis', 'http://x'], 'bad Redis URL http://x: unknown scheme "http:"'],
    [['extra'], 'unexpected argument extra'],
    [['--base-path', 'a b'], 'base-path must be a path such as /sidekiq, not "a b"'],
  ])('%j is refused with one line and exit 2', (args, message) => {
    const result = runWeb(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`sidepunch-web: ${message} (see --help)\n`);
    expect(result.stdout).toBe('');
  });

  it('serves under --base-path, for a reverse proxy that forwards the prefix', async () => {
    const { url } = await startWeb(['--base-path', '/sidekiq']);
    expect(url).toMatch(/:\d+\/sidekiq$/);
    expect(await (await fetch(`${url}/queues`)).text()).toContain('href="/sidekiq/retries"');
    expect((await fetch(`${url}/stats`)).status).toBe(200);
  });

  it('behind a reverse proxy at SIDEPUNCH_WEB_PUBLIC_URL, serves its pages and actions under its path; a bad one is one line and exit 1', async () => {
    const site = 'https://jobs.example.com';
    const { url } = await startWeb([], { SIDEPUNCH_WEB_PUBLIC_URL: `${site}/sidekiq` });
    expect(url).toMatch(/:\d+\/sidekiq$/);
    expect(await statusesThroughProxy(url, site, 'public')).toEqual({ get: 200, post: 303 });
    expect(await statusesThroughProxy(url, site, 'upstream')).toEqual({ get: 200, post: 303 });
    expect(await statusesThroughProxy(url, 'https://evil.example', 'upstream')).toEqual({
      get: 200,
      post: 403,
    });
    await expectOnlyLoopbackHosts(url);

    const bad = runWeb(['--port', '0'], { SIDEPUNCH_WEB_PUBLIC_URL: 'jobs.example.com' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(
      'sidepunch-web: a public URL is the http or https address the dashboard is served at, such as https://jobs.example.com/sidekiq, not "jobs.example.com"\n',
    );
  });

  it('--public-url names it, over the environment; a bad one is one line and exit 2', async () => {
    const site = 'https://jobs.example.com';
    const { url } = await startWeb(['--public-url', `${site}/sidekiq`], {
      SIDEPUNCH_WEB_PUBLIC_URL: 'https://elsewhere.example/other',
    });
    expect(url).toMatch(/:\d+\/sidekiq$/);
    expect(await statusesThroughProxy(url, site, 'upstream')).toEqual({ get: 200, post: 303 });
    expect(await statusesThroughProxy(url, 'https://elsewhere.example', 'upstream')).toEqual({
      get: 200,
      post: 403,
    });

    const bad = runWeb(['--public-url', 'jobs.example.com']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /^sidepunch-web: a public URL is the http or https address the dashboard is served at, such as https:\/\/jobs.example.com\/sidekiq, not "jobs.example.com" \(see --help\)\n$/,
    );
  });

  it('bound beyond loopback without authentication, warns loudly on stderr but still serves', async () => {
    const { web, url } = await startWeb(['--host', '0.0.0.0']);
    expect(web.output()).toMatch(/WARNING: the dashboard listens on 0\.0\.0\.0 WITHOUT AUTHENTICATION/);
    expect(web.output()).toMatch(/Anyone who can reach this port can .*delete and retry jobs/);
    expect(web.output()).toMatch(/--auth user:password or --token/);
    const port = new URL(url).port;
    expect((await fetch(`http://127.0.0.1:${port}/stats`)).status).toBe(200);

    const guarded = await startWeb(['--host', '0.0.0.0', '--token', 'a-long-token-0123456789']);
    expect(guarded.web.output()).not.toMatch(/WARNING/);
  });

  it('shows the Redis URL without its password', async () => {
    const { line } = await startWeb(['--redis', 'redis://user:hunter2@127.0.0.1:1/0']);
    expect(line).toContain('(Redis: redis://user:***@127.0.0.1:1/0)');
    expect(line).not.toContain('hunter2');
  });

  it('a bad SIDEPUNCH_WEB_AUTH or SIDEPUNCH_WEB_TOKEN is named in its one line, exit 1 (with sidepunch-run --web too)', async () => {
    const badAuth = runWeb(['--port', '0'], { SIDEPUNCH_WEB_AUTH: 'no-colon' });
    expect([badAuth.status, badAuth.stderr]).toEqual([
      1,
      'sidepunch-web: SIDEPUNCH_WEB_AUTH needs user:password, both non-empty\n',
    ]);
    const badToken = runWeb(['--port', '0'], { SIDEPUNCH_WEB_TOKEN: 'short' });
    expect([badToken.status, badToken.stderr]).toEqual([
      1,
      'sidepunch-web: SIDEPUNCH_WEB_TOKEN needs at least 16 characters\n',
    ]);
    // A flag wins over its variable, and is named when it is the bad one.
    const flagged = runWeb(['--port', '0', '--auth', 'no-colon'], { SIDEPUNCH_WEB_AUTH: 'admin:secret' });
    expect(flagged.stderr).toBe('sidepunch-web: --auth needs user:password, both non-empty\n');
    const runtime = startRuntime(fixture.server.url, ['--web', '0', PROBE_REGISTRY], {
      SIDEPUNCH_WEB_AUTH: 'no-colon',
    });
    started.push(runtime);
    expect(await runtime.exited).toBe(1);
    expect(runtime.output()).toContain(
      'sidepunch-run: SIDEPUNCH_WEB_AUTH needs user:password, both non-empty\n',
    );
  });

  it('closes and exits 0 on SIGTERM and on SIGINT', async () => {
    const first = await startWeb([]);
    expect(await first.web.stop('SIGTERM')).toBe(0);
    const second = await startWeb([]);
    expect(await second.web.stop('SIGINT')).toBe(0);
  });

  it('a port in use, a bad --auth or a registry that does not load is one line and exit 1', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const busy = runWeb(['--port', String(port)]);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toBe(
        `sidepunch-web: cannot serve the dashboard on 127.0.0.1:${port}: the port is in use\n`,
      );
    } finally {
      taken.close();
    }
    const badAuth = runWeb(['--port', '0', '--auth', 'no-colon']);
    expect(badAuth.status).toBe(1);
    expect(badAuth.stderr).toBe('sidepunch-web: --auth needs user:password, both non-empty\n');
    const badRegistry = runWeb(['--port', '0', '--registry', '/nowhere/registry.js']);
    expect(badRegistry.status).toBe(1);
    expect(badRegistry.stderr).toMatch(
      /^sidepunch-web: cannot load registry \/nowhere\/registry.js: [^\n]*\n$/,
    );
  });
});

describe('sidepunch-run --web', () => {
  it('serves the dashboard from the runtime process while it performs jobs', async () => {
    const runtime = fixture.run(['--web', '0']);
    const line = await runtime.waitForLine(/dashboard at http:\/\/127\.0\.0\.1:\d+/);
    const url = /(http:\/\/\S+)/.exec(line)![1]!;
    for (const tag of ['a', 'b', 'c']) await fixture.client.push({ class: 'Probe', args: ['ok', tag] });
    await waitUntil('three jobs done', async () => (await fixture.redis.get('stat:processed')) === '3');
    const stats = (await (await fetch(`${url}/stats`)).json()) as StatsBody;
    expect(stats.sidekiq).toMatchObject({ processed: 3, failed: 0, enqueued: 0, processes: 1 });
    expect(runtime.output()).not.toMatch(/WARNING/);
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });

  it('serves only Hosts that name this machine, so a rebound name (127.0.0.1.evil.example) is refused', async () => {
    const runtime = fixture.run(['--web', '0']);
    const url = /(http:\/\/\S+)/.exec(await runtime.waitForLine(/dashboard at http/))![1]!;
    await expectOnlyLoopbackHosts(url);
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });

  it('with --threads, the main thread serves it; beyond loopback without a secret it warns', async () => {
    const runtime = fixture.run(['--threads', '2', '--web', '0', '--web-host', '0.0.0.0']);
    const line = await runtime.waitForLine(/dashboard at http:\/\/0\.0\.0\.0:\d+/);
    const port = /:(\d+)/.exec(line.slice(line.indexOf('http')))![1]!;
    expect(runtime.output()).toMatch(/WARNING: the dashboard listens on 0\.0\.0\.0 WITHOUT AUTHENTICATION/);
    expect(runtime.output()).toMatch(/SIDEPUNCH_WEB_AUTH=user:password or SIDEPUNCH_WEB_TOKEN/);
    await fixture.client.push({ class: 'Probe', args: ['ok', 't'] });
    await waitUntil('the job done', async () => (await fixture.redis.get('stat:processed')) === '1');
    const stats = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as StatsBody;
    expect(stats.sidekiq.processed).toBe(1);
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });

  it('takes its secrets from the environment and exits 1 with one line when the port is in use', async () => {
    const token = 'a-long-token-0123456789';
    const first = startRuntime(fixture.server.url, ['--web', '0', PROBE_REGISTRY], {
      SIDEPUNCH_WEB_TOKEN: token,
    });
    started.push(first);
    const url = /(http:\/\/\S+)/.exec(await first.waitForLine(/dashboard at http/))![1]!;
    expect((await fetch(`${url}/stats`)).status).toBe(401);
    expect((await fetch(`${url}/stats`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(first.output()).not.toContain(token);

    const port = new URL(url).port;
    const second = fixture.run(['--web', port]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `sidepunch-run: cannot serve the dashboard on 127.0.0.1:${port}: the port is in use\n`,
    );
  });

  it('with --processes, the supervisor serves it and its children do not', async () => {
    const runtime = fixture.run(['--processes', '2', '--web', '0']);
    const url = /(http:\/\/\S+)/.exec(await runtime.waitForLine(/dashboard at http/))![1]!;
    await waitUntil('two live processes', async () => (await fixture.redis.scard('processes')) === 2);
    const stats = (await (await fetch(`${url}/stats`)).json()) as StatsBody;
    expect(stats.sidekiq.processes).toBe(2);
    expect(runtime.output().match(/dashboard at/g)).toHaveLength(1);
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });
});
