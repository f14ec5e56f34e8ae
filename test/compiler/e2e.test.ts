/**
 * End to end, in a fresh project with its own tsconfig and 'sidepunch' installed as a package (a symlink to
 * this repo, built): workers → sidepunch-gen → tsc compiles the app against the stubs → the app enqueues
 * through the stubs into a real Redis → sidepunch-run dist/registry.js performs every job with exactly the
 * arguments it was given. A payload pushed by hand with arguments that do not fit is not performed: it goes
 * to the dead set with the failing path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../support/redis-server.js';
import { requireBuiltDist } from '../support/required-tool.js';
import { startRuntime, waitUntil } from '../support/runtime-process.js';
import { REPO } from './support/fixture-config.js';
import { type TempProject, tempProject } from './support/temp-project.js';

const GEN_BIN = path.join(REPO, 'bin/sidepunch-gen.js');
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');
const dist = requireBuiltDist(['dist/compiler/cli.js', 'dist/runtime/cli/run.js', 'dist/runtime/index.d.ts']);

const TYPES = `export enum Priority {
  Low = 'low',
  High = 'high',
}

export interface Address {
  line1: string;
  line2?: string;
  city: string;
}

export interface LineItem {
  sku: string;
  quantity: number;
  unitCents: number;
}

export type Change =
  | { kind: 'created'; id: string; by: number }
  | { kind: 'deleted'; id: string; reason?: string };

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
`;

const RECORD = `import { appendFileSync } from 'node:fs';

/** What every e2e worker does: write the class, jid and arguments it received, one JSON line each. */
export function record(className: string, jid: string | undefined, args: unknown[]): void {
  appendFileSync(process.env.E2E_OUT!, \`\${JSON.stringify({ className, jid, args })}\\n\`);
}
`;

const WORKERS = `import type { SidepunchWorker } from 'sidepunch';
import { record } from '../record.js';
import type { Address, Change, Json, LineItem, Priority } from '../types.js';

export class ShipOrder implements SidepunchWorker {
  static sidepunchOptions = { queue: 'orders', retry: 3 };
  jid?: string;

  async perform(orderId: string, items: readonly LineItem[], shipTo?: Address): Promise<void> {
    record('ShipOrder', this.jid, shipTo === undefined ? [orderId, items] : [orderId, items, shipTo]);
  }
}

export class ApplyChange implements SidepunchWorker {
  jid?: string;

  perform(change: Change, priority: Priority, ...tags: string[]): void {
    record('ApplyChange', this.jid, [change, priority, ...tags]);
  }
}

export class StoreDocument implements SidepunchWorker {
  jid?: string;

  perform(payload: Json, window: [from: string, to: string], note: string | null): void {
    record('StoreDocument', this.jid, [payload, window, note]);
  }
}
`;

const ENQUEUE = `import { close, configure } from 'sidepunch';
import { jobs } from './sidepunch.generated.js';
import { Priority } from './types.js';

configure({ redis: process.env.REDIS_URL });
const enqueued: Record<string, unknown[]> = {};
// A push resolves to undefined only when a client middleware stopped it; this app has none.
const jid = (pushed: string | undefined): string => pushed ?? 'stopped';
const items = [{ sku: 'A-1', quantity: 2, unitCents: 1999 }, { sku: 'ü-ñ "quoted"', quantity: 1, unitCents: 0 }];
const address = { line1: '1 Main St', city: 'Zürich' };

enqueued[jid(await jobs.ShipOrder.performAsync('o-1', items, address))] = ['o-1', items, address];
enqueued[jid(await jobs.ShipOrder.performAsync('o-2', []))] = ['o-2', []];
enqueued[jid(await jobs.ShipOrder.set({ queue: 'default' }).performAsync('o-3', items))] = ['o-3', items];
enqueued[jid(await jobs.ApplyChange.performAsync({ kind: 'created', id: 'c1', by: 7 }, Priority.High))] = [
  { kind: 'created', id: 'c1', by: 7 },
  'high',
];
enqueued[jid(await jobs.ApplyChange.performAsync({ kind: 'deleted', id: 'c2' }, Priority.Low, 'a', 'b'))] = [
  { kind: 'deleted', id: 'c2' },
  'low',
  'a',
  'b',
];
const doc = { nested: [1, 2.5, -3e-7, true, null, { deep: ['x', {}] }], emoji: '🚀', empty: '' };
enqueued[jid(await jobs.StoreDocument.performIn(0, doc, ['2025-01-01', '2025-12-31'], null))] = [
  doc,
  ['2025-01-01', '2025-12-31'],
  null,
];
const bulk = await jobs.StoreDocument.performBulk([
  [1, ['a', 'b'], 'first'],
  ['two', ['c', 'd'], null],
]);
enqueued[bulk[0]!] = [1, ['a', 'b'], 'first'];
enqueued[bulk[1]!] = ['two', ['c', 'd'], null];

process.stdout.write(JSON.stringify(enqueued));
await close();
`;

/**
 * The runs the workers wrote, one JSON line each, so far: only whole lines, since a worker may be between creating
 * the file and writing its line (an empty file) or in the middle of a line when it is read.
 */
function performedRuns(out: string): { className: string; jid: string; args: unknown[] }[] {
  if (!existsSync(out)) return [];
  const lines = readFileSync(out, 'utf8').split('\n');
  lines.pop(); // after the last newline: nothing, or a line not yet whole
  return lines.map((line) => JSON.parse(line) as { className: string; jid: string; args: unknown[] });
}

dist.describe('end to end: sidepunch-gen → stubs → Redis → sidepunch-run', () => {
  let redis: RedisServer | undefined;
  let app: TempProject;

  beforeAll(async () => {
    redis = await startRedisServer();
    app = tempProject({
      'src/types.ts': TYPES,
      'src/record.ts': RECORD,
      'src/workers/jobs.ts': WORKERS,
      'src/enqueue.ts': ENQUEUE,
    });
    // Its own tsconfig: the real package (no path mapping), Node's types, and output to build/.
    app.write(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          skipLibCheck: true,
          verbatimModuleSyntax: true,
          rootDir: 'src',
          outDir: 'build',
        },
        include: ['src'],
      }),
    );
    mkdirSync(app.path('node_modules/@types'), { recursive: true });
    symlinkSync(REPO, app.path('node_modules/sidepunch'), 'dir');
    symlinkSync(path.join(REPO, 'node_modules/@types/node'), app.path('node_modules/@types/node'), 'dir');
  });

  afterAll(async () => {
    await destroyRedisServer(redis);
    app?.remove();
  });

  it('performs every enqueued job with exactly its arguments, and kills a payload that does not fit', async () => {
    const gen = spawnSync(process.execPath, [GEN_BIN], { cwd: app.dir, encoding: 'utf8' });
    expect(gen.stderr).toBe('');
    expect(gen.status).toBe(0);
    expect(gen.stdout).toContain('3 workers → src/sidepunch.generated.ts, dist/registry.js');

    const tsc = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app.dir, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const enqueue = spawnSync(process.execPath, ['build/enqueue.js'], {
      cwd: app.dir,
      encoding: 'utf8',
      env: { ...process.env, REDIS_URL: redis!.url },
    });
    expect(enqueue.stderr).toBe('');
    const enqueued = JSON.parse(enqueue.stdout) as Record<string, unknown[]>;
    expect(Object.keys(enqueued)).toHaveLength(8);

    // Arguments another deploy (or a hand) pushed, that do not fit ShipOrder.perform.
    const client = redis!.connect();
    const bad = {
      class: 'ShipOrder',
      args: ['o-9', [{ sku: 'A-1', quantity: '2', unitCents: 1 }]],
      jid: 'bad0000000000000000000000',
      queue: 'orders',
      retry: 3,
      created_at: Date.now() / 1000,
      enqueued_at: Date.now() / 1000,
    };
    await client.lpush('queue:orders', JSON.stringify(bad));

    const out = app.path('performed.jsonl');
    const runner = startRuntime(
      redis!.url,
      [app.path('dist/registry.js'), '-c', '3', '-q', 'orders', '-q', 'default'],
      { E2E_OUT: out },
    );
    const performed = () => performedRuns(out);
    try {
      await waitUntil('all 8 jobs performed', () => performed().length >= 8);
      await waitUntil('the bad payload in the dead set', async () => (await client.zcard('dead')) === 1);
    } finally {
      expect(await runner.stop('SIGTERM')).toBe(0);
    }

    const byJid = Object.fromEntries(performed().map((run) => [run.jid, run.args]));
    expect(byJid).toEqual(enqueued);
    expect(
      performed()
        .map((run) => run.className)
        .sort(),
    ).toEqual([
      'ApplyChange',
      'ApplyChange',
      'ShipOrder',
      'ShipOrder',
      'ShipOrder',
      'StoreDocument',
      'StoreDocument',
      'StoreDocument',
    ]);
    const [dead] = await client.zrange('dead', 0, -1);
    expect(JSON.parse(dead!)).toMatchObject({
      jid: bad.jid,
      error_message: expect.stringContaining('args[1][0].quantity: expected number, got string'),
    });
  });

  it('performs them from a registry in the modules layout too (one built module per source module)', async () => {
    const gen = spawnSync(
      process.execPath,
      [GEN_BIN, '--registry-mode', 'modules', '--registry', 'dist/modules/registry.js', '--no-cache'],
      { cwd: app.dir, encoding: 'utf8' },
    );
    expect(gen.stderr).toBe('');
    expect(gen.stdout).toMatch(
      /3 workers → .*dist\/modules\/registry\.js, dist\/modules\/registry\.modules\/ \(\d+ modules\)/,
    );
    expect(existsSync(app.path('dist/modules/registry.modules/src/workers/jobs.js'))).toBe(true);

    await redis!.connect().flushall();
    const enqueue = spawnSync(process.execPath, ['build/enqueue.js'], {
      cwd: app.dir,
      encoding: 'utf8',
      env: { ...process.env, REDIS_URL: redis!.url },
    });
    expect(enqueue.stderr).toBe('');
    const enqueued = JSON.parse(enqueue.stdout) as Record<string, unknown[]>;
    const out = app.path('performed-modules.jsonl');
    const runner = startRuntime(
      redis!.url,
      [app.path('dist/modules/registry.js'), '-c', '3', '-q', 'orders', '-q', 'default'],
      { E2E_OUT: out },
    );
    const performed = () => performedRuns(out);
    try {
      await waitUntil('all 8 jobs performed', () => performed().length >= 8);
    } finally {
      expect(await runner.stop('SIGTERM')).toBe(0);
    }
    expect(Object.fromEntries(performed().map((run) => [run.jid, run.args]))).toEqual(enqueued);
  });
});
