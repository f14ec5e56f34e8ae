/**
 * The `server` setting: a module whose default export becomes the generated registry's `configureServer`, so a
 * project using sidepunch-gen adds its middleware and handlers in TypeScript, bundled with its workers.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Registry } from '../../runtime/core/registry.js';
import { MiddlewareChain } from '../../runtime/middleware/chain.js';
import type { ServerConfiguration } from '../../runtime/middleware/configure.js';
import { runCli } from './support/run-cli.js';
import { useTempProjects, workerSource } from './support/temp-project.js';

const tempProject = useTempProjects();

const SERVER = `interface Chain { add(entry: unknown): unknown }

/** Adds a middleware that records the class of each job it sees. */
export default function configureServer(server: { serverMiddleware: Chain }): void {
  server.serverMiddleware.add(async (job: { class: string }, next: () => Promise<void>) => {
    (globalThis as { seen?: string[] }).seen?.push(job.class);
    await next();
  });
}
`;

async function generateWith(packageJson: Record<string, unknown>, ...flags: string[]) {
  const project = tempProject(
    { 'src/workers/send.ts': workerSource('SendEmail', 'to: string'), 'src/server.ts': SERVER },
    packageJson,
  );
  const run = await runCli(project.dir, ...flags);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const registry: Registry = (await import(pathToFileURL(project.path('dist/registry.js')).href)).default;
  return { project, registry };
}

function serverConfiguration(): ServerConfiguration {
  return {
    config: {} as ServerConfiguration['config'],
    serverMiddleware: new MiddlewareChain(),
    clientMiddleware: new MiddlewareChain(),
    errorHandlers: new MiddlewareChain(),
    deathHandlers: new MiddlewareChain(),
    onShutdown: () => {},
  };
}

describe('sidepunch-gen --server', () => {
  it('bundles the module into the registry as its configureServer hook', async () => {
    const { registry } = await generateWith({}, '--server', 'src/server.ts');
    expect(Object.keys(registry.workers)).toEqual(['SendEmail']);
    const server = serverConfiguration();
    await registry.configureServer!(server);
    expect(server.serverMiddleware.size).toBe(1);
  });

  it('reads the setting from package.json too; without it the registry has no hook', async () => {
    const { registry } = await generateWith({ sidepunch: { server: 'src/server.ts' } });
    expect(typeof registry.configureServer).toBe('function');
    const { registry: plain } = await generateWith({});
    expect(plain.configureServer).toBeUndefined();
  });

  it('a server module that does not exist is one line naming it, exit 2, nothing written', async () => {
    const project = tempProject({ 'src/workers/send.ts': workerSource('SendEmail', 'to: string') });
    const run = await runCli(project.dir, '--server', 'src/sever.ts');
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `sidepunch-gen: cannot find the server module ${project.path('src/sever.ts')}\n`,
    });
    expect(existsSync(project.path('dist/registry.js'))).toBe(false);
    expect(existsSync(project.path('src/sidepunch.generated.ts'))).toBe(false);
  });

  it('a server module without a default export is SP3001 at that module, not in the generated entry', async () => {
    const project = tempProject({
      'src/workers/send.ts': workerSource('SendEmail', 'to: string'),
      'src/server.ts': 'export function configureServer(): void {}\n',
    });
    const run = await runCli(project.dir, '--server', 'src/server.ts');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^src\/server\.ts:1:1 - error SP3001: esbuild could not bundle the registry: src\/server\.ts has no default export, which the registry imports as its configureServer hook\. Add `export default function configureServer\(server\) \{ … \}`\./,
    );
    expect(run.stderr).not.toContain('sidepunch-registry.ts');
    expect(existsSync(project.path('dist/registry.js'))).toBe(false);
  });
});
