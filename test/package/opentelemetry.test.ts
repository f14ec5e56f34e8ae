/**
 * OpenTelemetry as a user gets it from the tarball: without `@opentelemetry/api` nothing changes and asking for
 * the instrumentation says what to install; with it and an SDK, an app's push and a `sidepunch-run` perform are
 * one trace through the payload, and a batch processor is flushed by the shutdown hook before the process exits.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { installPackage, removeProject } from '../support/installed-package.js';
import { REPO_ROOT, waitUntil } from '../support/runtime-process.js';

let server: RedisServer;
let redis: Redis;
let project: string;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
  project = installPackage();
}, 180_000);
afterAll(async () => {
  await destroyRedisServer(server);
  removeProject(project);
});

const node = (script: string) =>
  execFileSync('node', [script], {
    cwd: project,
    env: { ...process.env, REDIS_URL: server.url },
    encoding: 'utf8',
  }).trim();

/** The versions this repository tests with (its devDependencies). */
function pinned(name: string): string {
  const manifest = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8'));
  return `${name}@${manifest.devDependencies[name]}`;
}

describe('OpenTelemetry from the installed package', () => {
  it('without @opentelemetry/api, an app pushes as ever and instrumentOpenTelemetry names what to install', () => {
    expect(existsSync(path.join(project, 'node_modules/@opentelemetry/api'))).toBe(false);
    writeFileSync(
      path.join(project, 'without.mjs'),
      `import { close, instrumentOpenTelemetry, push } from 'sidepunch';
const jid = await push({ class: 'Greet', args: ['Zoë'] });
await close();
const refused = await instrumentOpenTelemetry().then(() => 'installed', (error) => error.message);
console.log(JSON.stringify({ jid, refused }));
`,
    );
    const { jid, refused } = JSON.parse(node('without.mjs'));
    expect(jid).toMatch(/^[0-9a-f]{24}$/);
    expect(refused).toBe(
      'sidepunch: instrumentOpenTelemetry needs @opentelemetry/api: npm install @opentelemetry/api (and an OpenTelemetry SDK to export what it records)',
    );
  });

  it('its type declarations never name @opentelemetry/api, so an app without it type-checks', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const match of readFileSync(file, 'utf8').matchAll(/\bfrom\s+'(\.[^']*)\.js'/g))
        visit(path.join(path.dirname(file), `${match[1]}.d.ts`));
    };
    visit(path.join(project, 'node_modules/sidepunch/dist/runtime/index.d.ts'));
    expect(reached.size).toBeGreaterThan(20);
    expect([...reached].filter((file) => readFileSync(file, 'utf8').includes('@opentelemetry'))).toEqual([]);
  });

  it('with the API and an SDK, a push and its perform in sidepunch-run are linked through the payload', async () => {
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        pinned('@opentelemetry/api'),
        pinned('@opentelemetry/core'),
        pinned('@opentelemetry/sdk-trace-base'),
      ],
      { cwd: project, stdio: 'pipe' },
    );
    writeFileSync(
      path.join(project, 'telemetry.mjs'),
      `// What an app's SDK set-up does (NodeSDK does the same): a tracer provider and W3C propagation.
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

export function register(spanProcessors) {
  const provider = new BasicTracerProvider({ spanProcessors });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return provider;
}
`,
    );
    writeFileSync(
      path.join(project, 'enqueue.mjs'),
      `import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { close, instrumentOpenTelemetry, push } from 'sidepunch';
import { register } from './telemetry.mjs';

const exporter = new InMemorySpanExporter();
const provider = register([new SimpleSpanProcessor(exporter)]);
await instrumentOpenTelemetry();
const jid = await push({ class: 'Greet', args: ['Zoë'] });
await close();
await provider.forceFlush();
const [send] = exporter.getFinishedSpans();
console.log(JSON.stringify({ jid, name: send.name, ...send.spanContext() }));
`,
    );
    writeFileSync(
      path.join(project, 'registry.mjs'),
      `import { appendFileSync } from 'node:fs';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { defineRegistry, instrumentOpenTelemetry } from 'sidepunch';
import { register } from './telemetry.mjs';

// Writes what it is given as JSON lines; the batch processor gives nothing before it is flushed.
const toFile = {
  export(spans, done) {
    for (const span of spans) {
      appendFileSync('spans.jsonl', JSON.stringify({
        name: span.name,
        kind: span.kind,
        jid: span.attributes['messaging.message.id'],
        links: span.links.map((link) => link.context),
      }) + '\\n');
    }
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const batch = new BatchSpanProcessor(toFile, { scheduledDelayMillis: 3_600_000 });
register([batch]);
const redis = new Redis(process.env.REDIS_URL);

class Greet {
  async perform(name) { await redis.rpush('greetings', \`\${this.jid}:\${name}\`); }
}

export default defineRegistry({
  workers: { Greet },
  async configureServer(server) {
    await instrumentOpenTelemetry();
    server.onShutdown(() => batch.forceFlush());
  },
});
`,
    );
    await redis.flushall();
    const pushed = JSON.parse(node('enqueue.mjs'));
    expect(pushed.name).toBe('send default');
    const [payload] = await redis.lrange('queue:default', 0, -1);
    expect(JSON.parse(payload!).traceparent).toBe(`00-${pushed.traceId}-${pushed.spanId}-01`);

    // The installed bin itself, not through npx: TERM must reach it for a graceful stop.
    const runtime = spawn(path.join(project, 'node_modules/.bin/sidepunch-run'), ['registry.mjs'], {
      cwd: project,
      env: { ...process.env, REDIS_URL: server.url },
      stdio: 'pipe',
    });
    const exited = new Promise((resolve) => runtime.once('exit', resolve));
    let output = '';
    runtime.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    runtime.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    try {
      await waitUntil('the greeting', async () => (await redis.llen('greetings')) === 1).catch((error) => {
        throw new Error(`${(error as Error).message}; sidepunch-run wrote:\n${output}`);
      });
      // Batched: nothing exported while the process runs.
      expect(existsSync(path.join(project, 'spans.jsonl'))).toBe(false);
    } finally {
      runtime.kill('SIGTERM');
      await exited;
    }
    expect(existsSync(path.join(project, 'spans.jsonl')), output).toBe(true);
    const spans = readFileSync(path.join(project, 'spans.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(spans).toEqual([
      {
        name: 'process default',
        kind: 4, // CONSUMER
        jid: pushed.jid,
        links: [{ traceId: pushed.traceId, spanId: pushed.spanId, traceFlags: 1, isRemote: true }],
      },
    ]);
  });
});
