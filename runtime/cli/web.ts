/**
 * `sidepunch-web`: serves the dashboard on its own, beside any number of `sidepunch-run` processes, until SIGTERM
 * or SIGINT, then closes and exits 0. Bad flags: one line on stderr, exit 2; a failure to start (the port is taken,
 * a bad registry or --auth): one line, exit 1. With -v, a log line per request. Started by npm (`npx sidepunch-web`,
 * an npm script), it closes the same way once npm is gone, since npm exits on SIGTERM without passing it on.
 */

import { authProblem } from '../core/dashboard-access.js';
import { LineLogger } from '../core/logger.js';
import { loadRegistry, type Registry, RegistryError } from '../core/registry.js';
import { redactUrl } from '../redis/redis-url.js';
import { AuthConfigError } from '../web/auth.js';
import { startWebServer, type WebServer, WebServerError } from '../web/web-server.js';
import { exposureWarning } from './exposure-warning.js';
import { stopWhenOrphaned } from './parent-watch.js';
import { logRequests } from './request-log.js';
import { parseOrExit, versionLine } from './usage.js';
import { parseWebArgs, WEB_HELP } from './web-args.js';

/** A Redis that does not answer must not hold up the exit. */
const CLOSE_WAIT_MS = 2000;

export async function main(argv: readonly string[]): Promise<void> {
  const command = parseOrExit('sidepunch-web', () => parseWebArgs(argv));
  if (command.kind === 'help') return void process.stdout.write(`${WEB_HELP}\n`);
  if (command.kind === 'version') return void process.stdout.write(versionLine('sidepunch-web'));

  const { options } = command;
  let web: WebServer;
  try {
    const problem = authProblem(options.auth, options.authNames);
    if (problem) throw new AuthConfigError(problem);
    const registry: Registry | undefined = options.registryPath
      ? await loadRegistry(options.registryPath)
      : undefined;
    web = await startWebServer({
      redis: options.redis,
      namespace: options.namespace,
      port: options.port,
      host: options.host,
      auth: options.auth,
      registry,
      pollSeconds: options.pollSeconds,
      basePath: options.basePath,
      publicUrl: options.publicUrl,
    });
  } catch (error) {
    if (
      !(error instanceof WebServerError || error instanceof RegistryError || error instanceof AuthConfigError)
    )
      throw error;
    process.stderr.write(`sidepunch-web: ${error.message}\n`);
    process.exit(1);
  }
  closeOnSignals(web);
  stopWhenOrphaned(new LineLogger('warn'));
  if (options.verbose) logRequests(web.server, new LineLogger('debug'));
  // Listening for signals before saying where it serves: whoever reads that line may stop it at once.
  const warning = exposureWarning(options.host, options.auth, 'use --auth user:password or --token T');
  if (warning) process.stderr.write(warning);
  process.stdout.write(`Sidepunch dashboard at ${web.url} (Redis: ${redactUrl(options.redis)})\n`);
}

/** TERM or INT: close the server and the Redis connection, then exit 0 (at once if Redis does not answer). */
function closeOnSignals(web: WebServer): void {
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(0), CLOSE_WAIT_MS).unref();
    web.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
}
