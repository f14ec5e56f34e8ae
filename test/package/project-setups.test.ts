/**
 * The project setups docs/project-setups.md describes, in one project installed from the tarball, with no
 * "type" in its package.json (CommonJS, as `npm init` makes one) and TypeScript of its own:
 *  - CommonJS apps under `module: node16` and `nodenext`: `npx tsc` type-checks the generated stubs (no TS1479),
 *    the compiled app enqueues through them and `npx sidepunch-run` performs the job, all without require(esm)
 *    and without Node's MODULE_TYPELESS_PACKAGE_JSON warning;
 *  - an app that loads sidepunch both ways (require and import) has one client, one set of chains, one mode;
 *  - the compiled registry mode, in which a worker finds a file beside its own compiled module (through
 *    `__dirname` in CommonJS, `import.meta.url` in an ES module app: esm/ has "type": "module").
 * Each app works its own queue, so a runtime still stopping cannot take the next test's job.
 */
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyRedisServer, type RedisServer, startRedisServer } from '../../scripts/redis-server.js';
import { installPackage, removeProject, repoVersions } from '../support/installed-package.js';
import { startProcess, waitUntil } from '../support/runtime-process.js';
import { commandIn } from '../support/user-command.js';

/** sidepunch-gen, tsc, enqueue and sidepunch-run, each a cold Node process, on a busy machine. */
const BUILD_AND_RUN_MS = 300_000;

/** Without require(esm), a CommonJS app can only load sidepunch's own CommonJS build. */
const NO_REQUIRE_ESM = process.allowedNodeEnvironmentFlags.has('--experimental-require-module')
  ? ['--no-experimental-require-module']
  : [];

const tsconfig = (module: string) =>
  JSON.stringify({
    compilerOptions: {
      module,
      target: 'ES2022',
      strict: true,
      types: ['node'],
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src'],
  });

const TYPES = 'export interface Greeting {\n  name: string;\n  times: number;\n}\n';

/** A worker that writes `<queue>:<jid>:<name>:<times>:<extra>` to the `greetings` list. */
const worker = (queue: string, extra: { imports: string; value: string }) => `import { Redis } from 'ioredis';
import type { SidepunchWorker } from 'sidepunch';
${extra.imports}
import type { Greeting } from '../types${queue === 'node16' ? '' : '.js'}';

export class Greet implements SidepunchWorker {
  static sidepunchOptions = { queue: '${queue}' };
  jid?: string;

  async perform(greeting: Greeting): Promise<void> {
    const redis = new Redis(process.env.REDIS_URL!);
    await redis.rpush('greetings', [
      '${queue}', this.jid, greeting.name, greeting.times, ${extra.value},
    ].join(':'));
    await redis.quit();
  }
}
`;

/** CommonJS has no top-level await. */
const ENQUEUE_CJS = (stubs: string) => `import { close, configure } from 'sidepunch';
import { jobs } from '${stubs}';

async function main(): Promise<void> {
  configure({ redis: process.env.REDIS_URL });
  const jid = await jobs.Greet.performAsync({ name: 'Zoë', times: 2 });
  await close();
  console.log(jid);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const ENQUEUE_ESM = `import { close, configure } from 'sidepunch';
import { jobs } from './sidepunch.generated.js';

configure({ redis: process.env.REDIS_URL });
console.log(await jobs.Greet.performAsync({ name: 'Zoë', times: 2 }));
await close();
`;

const FILES = {
  'node16/tsconfig.json': tsconfig('node16'),
  'node16/src/types.ts': TYPES,
  'node16/src/workers/greet.ts': worker('node16', { imports: '', value: "'bundled'" }),
  // The extensionless import CommonJS allows.
  'node16/src/enqueue.ts': ENQUEUE_CJS('./sidepunch.generated'),

  'nodenext/tsconfig.json': tsconfig('nodenext'),
  'nodenext/src/types.ts': TYPES,
  'nodenext/src/workers/greet.ts': worker('nodenext', {
    imports: "import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';",
    value: "readFileSync(join(__dirname, 'salutation.txt'), 'utf8').trim()",
  }),
  'nodenext/src/workers/salutation.txt': 'hello from beside greet.js\n',
  'nodenext/src/enqueue.ts': ENQUEUE_CJS('./sidepunch.generated.js'),

  'esm/package.json': JSON.stringify({ type: 'module' }),
  'esm/tsconfig.json': tsconfig('nodenext'),
  'esm/src/types.ts': TYPES,
  'esm/src/workers/greet.ts': worker('esm', {
    imports: "import { readFileSync } from 'node:fs';",
    value: "JSON.parse(readFileSync(new URL('./data.json', import.meta.url), 'utf8')).salutation",
  }),
  'esm/src/workers/data.json': JSON.stringify({ salutation: 'hello from beside greet.js' }),
  'esm/src/enqueue.ts': ENQUEUE_ESM,

  'dual.cjs': `// Loads sidepunch both ways: the CommonJS copy through require, the ES module one through import.
const cjs = require('sidepunch');
const cjsTesting = require('sidepunch/testing');

(async () => {
  const esm = await import('sidepunch');
  const esmTesting = await import('sidepunch/testing');
  const handler = () => {};
  const removeHandler = cjs.onJobError(handler);
  const middleware = (job, next) => next();
  esm.clientMiddleware.add(middleware);
  cjs.configure({ redis: process.env.REDIS_URL });
  const client = esm.defaultClient();
  const stubPushes = [];
  const stubClient = {
    async push(job) {
      stubPushes.push(job.args);
      return 'stub-jid';
    },
  };
  const previous = cjs.setStubClient(() => stubClient);
  const stubJid = await esm.workerStub('Greet').performAsync('through the stub client');
  cjs.setStubClient(previous);
  esmTesting.fake();
  await cjs.workerStub('Greet').performAsync('faked');
  const faked = cjsTesting.worker('Greet').jobs.map((job) => job.args);
  cjsTesting.disable();
  console.log(JSON.stringify({
    twoCopies: cjs.Client !== esm.Client,
    errorHandlerSeenByEsm: esm.errorHandlers.entries.includes(handler),
    middlewareSeenByCjs: cjs.clientMiddleware.entries.includes(middleware),
    oneDefaultClient: cjs.defaultClient() === client,
    stubJid,
    stubPushes,
    faked,
  }));
  removeHandler();
  await esm.close();
})();
`,
};

let server: RedisServer;
let redis: Redis;
let project: string;
let run: ReturnType<typeof commandIn>;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.connect();
  project = installPackage(
    {},
    {
      type: 'commonjs',
      // sidepunch-gen's ts-morph and esbuild, and the app's own TypeScript.
      devDependencies: repoVersions('ts-morph', 'esbuild', 'typescript', '@types/node'),
      files: FILES,
    },
  );
  run = commandIn(project, { REDIS_URL: server.url });
}, 300_000);
afterAll(async () => {
  await destroyRedisServer(server);
  removeProject(project);
});

/**
 * sidepunch-gen, tsc and the app's build step, then the compiled app enqueues and sidepunch-run performs the job:
 * resolves to the greeting the worker wrote and everything sidepunch-run printed.
 */
async function buildAndPerform(
  app: string,
  options: { genFlags?: string[]; node?: string[]; asset?: string } = {},
): Promise<{ greeting: string; jid: string; output: string }> {
  const tsconfigFlag = ['-p', `${app}/tsconfig.json`];
  const gen = run('npx', ['--no', '--', 'sidepunch-gen', ...tsconfigFlag, ...(options.genFlags ?? [])]);
  expect(gen.stdout).toContain(`1 worker → ${app}/src/sidepunch.generated.ts, ${app}/dist/registry.js`);
  const tsc = run('npx', ['--no', '--', 'tsc', ...tsconfigFlag]);
  expect(tsc.stdout + tsc.stderr).toBe('');
  if (options.asset) {
    cpSync(path.join(project, app, 'src', options.asset), path.join(project, app, 'dist', options.asset));
  }
  const jid = run('node', [...(options.node ?? []), `${app}/dist/enqueue.js`]).stdout.trim();
  expect(jid).toMatch(/^[0-9a-f]{24}$/);
  await redis.del('greetings');
  const runtime = startProcess(
    'npx',
    ['--no', '--', 'sidepunch-run', '-q', app, `${app}/dist/registry.js`],
    { ...process.env, REDIS_URL: server.url, NODE_OPTIONS: (options.node ?? []).join(' ') },
    project,
  );
  try {
    await waitUntil(`${app}'s greeting`, async () => (await redis.llen('greetings')) === 1);
  } finally {
    await runtime.stop();
  }
  return { greeting: (await redis.lrange('greetings', 0, 0))[0]!, jid, output: runtime.output() };
}

describe('a CommonJS app', () => {
  it(
    'under module node16: the stubs type-check, the compiled app enqueues, sidepunch-run performs, no warning',
    async () => {
      const { greeting, jid, output } = await buildAndPerform('node16', { node: NO_REQUIRE_ESM });
      expect(greeting).toBe(`node16:${jid}:Zoë:2:bundled`);
      expect(readFileSync(path.join(project, 'node16/dist/registry.js'), 'utf8')).toContain('module.exports');
      expect(output).not.toContain('MODULE_TYPELESS_PACKAGE_JSON');
      expect(output).not.toMatch(/Warning/);
    },
    BUILD_AND_RUN_MS,
  );

  it(
    'under module nodenext, in the compiled registry mode: a worker reads a file beside it through __dirname',
    async () => {
      const { greeting, jid, output } = await buildAndPerform('nodenext', {
        genFlags: ['--registry-mode', 'compiled'],
        node: NO_REQUIRE_ESM,
        asset: 'workers/salutation.txt',
      });
      expect(greeting).toBe(`nodenext:${jid}:Zoë:2:hello from beside greet.js`);
      expect(readFileSync(path.join(project, 'nodenext/dist/registry.js'), 'utf8')).toContain(
        'require("./workers/greet.js")',
      );
      expect(output).not.toContain('MODULE_TYPELESS_PACKAGE_JSON');
      expect(output).not.toMatch(/Warning/);
    },
    BUILD_AND_RUN_MS,
  );

  it('that loads sidepunch both ways shares one client, one set of chains and one testing mode', () => {
    const { stdout } = run('node', [...NO_REQUIRE_ESM, 'dual.cjs']);
    expect(JSON.parse(stdout)).toEqual({
      twoCopies: true,
      errorHandlerSeenByEsm: true,
      middlewareSeenByCjs: true,
      oneDefaultClient: true,
      stubJid: 'stub-jid',
      stubPushes: [['through the stub client']],
      faked: [['faked']],
    });
  });
});

describe('an ES module app in the compiled registry mode', () => {
  it(
    'a worker reads new URL("./data.json", import.meta.url) beside its compiled module',
    async () => {
      const { greeting, jid, output } = await buildAndPerform('esm', {
        genFlags: ['--registry-mode', 'compiled'],
        asset: 'workers/data.json',
      });
      expect(greeting).toBe(`esm:${jid}:Zoë:2:hello from beside greet.js`);
      expect(readFileSync(path.join(project, 'esm/dist/registry.js'), 'utf8')).toContain(
        'import { Greet } from "./workers/greet.js";',
      );
      expect(output).not.toMatch(/Warning/);
    },
    BUILD_AND_RUN_MS,
  );
});
