/**
 * An npm-workspaces monorepo, installed from the tarball: packages/shared exports its TypeScript source
 * (`"exports": "./src/index.ts"`, which Node cannot load), packages/app has a worker that imports it. sidepunch-gen
 * bundles the workspace package into the registry (it resolves outside node_modules), so `sidepunch-run` performs
 * a job that uses it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { installPackage, removeProject, repoVersions } from '../support/installed-package.js';
import { startProcess, waitUntil } from '../support/runtime-process.js';
import { commandIn } from '../support/user-command.js';

const FILES = {
  'packages/shared/package.json': JSON.stringify({
    name: '@acme/shared',
    version: '1.0.0',
    private: true,
    type: 'module',
    exports: './src/index.ts',
  }),
  'packages/shared/src/index.ts': `export interface Order {
  id: string;
  items: number;
}

export function label(order: Order): string {
  return \`\${order.id} × \${order.items}\`;
}
`,
  'packages/app/package.json': JSON.stringify({
    name: '@acme/app',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: { '@acme/shared': '1.0.0' },
  }),
  'packages/app/tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'nodenext', target: 'ES2022', strict: true, types: ['node'], outDir: 'dist' },
    include: ['src'],
  }),
  'packages/app/src/workers/ship-order.ts': `import { label, type Order } from '@acme/shared';
import { Redis } from 'ioredis';
import type { SidepunchWorker } from 'sidepunch';

export class ShipOrder implements SidepunchWorker {
  async perform(order: Order): Promise<void> {
    const redis = new Redis(process.env.REDIS_URL!);
    await redis.rpush('shipped', label(order));
    await redis.quit();
  }
}
`,
  'packages/app/enqueue.mjs': `import { close, push } from 'sidepunch';
await push({ class: 'ShipOrder', args: [{ id: 'o-7', items: 3 }] });
await close();
`,
};

let server: RedisServer;
let redis: Redis;
let monorepo: string;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
  monorepo = installPackage(
    {},
    {
      workspaces: ['packages/*'],
      files: FILES,
      devDependencies: repoVersions('ts-morph', 'esbuild', '@types/node'),
    },
  );
}, 300_000);
afterAll(async () => {
  await destroyRedisServer(server);
  removeProject(monorepo);
});

describe('an npm-workspaces monorepo', () => {
  it('sidepunch-gen bundles a workspace package exported as TypeScript; sidepunch-run performs a job that uses it', async () => {
    const app = path.join(monorepo, 'packages/app');
    const run = commandIn(app, { REDIS_URL: server.url });
    expect(run('npx', ['--no', '--', 'sidepunch-gen']).stdout).toContain(
      '1 worker → src/sidepunch.generated.ts, dist/registry.js',
    );
    const registry = readFileSync(path.join(app, 'dist/registry.js'), 'utf8');
    expect(registry).not.toContain('@acme/shared');
    expect(readFileSync(path.join(app, 'src/sidepunch.generated.ts'), 'utf8')).toContain(
      "import type { Order } from '@acme/shared';",
    );
    run('node', ['enqueue.mjs']);
    const runtime = startProcess(
      'npx',
      ['--no', '--', 'sidepunch-run', 'dist/registry.js'],
      { ...process.env, REDIS_URL: server.url },
      app,
    );
    try {
      await waitUntil('the shipped order', async () => (await redis.llen('shipped')) === 1);
    } finally {
      await runtime.stop();
    }
    expect(await redis.lrange('shipped', 0, -1)).toEqual(['o-7 × 3']);
    expect(runtime.output()).not.toMatch(/ERROR|Warning/);
  }, 300_000);
});
