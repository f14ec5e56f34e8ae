/**
 * `sidepunch-run --web PORT`: the dashboard served from the runtime's main process, on the same Redis, namespace and
 * registry. The server is unref'd, so it never keeps the process up; each mode's shutdown ends the process with it.
 */

import { AUTH_VARIABLES, authProblem } from '../core/dashboard-access.js';
import type { Logger } from '../core/logger.js';
import type { Registry } from '../core/registry.js';
import type { RuntimeConfig } from '../server/run-config.js';
import { AuthConfigError } from '../web/auth.js';
import { startWebServer, type WebServer } from '../web/web-server.js';
import { exposureWarning } from './exposure-warning.js';

export async function serveDashboard(
  config: RuntimeConfig,
  registry: Registry,
  logger: Logger,
): Promise<WebServer> {
  // Its secrets come from the environment only: a bad one is named by its variable.
  const problem = authProblem(config.webAuth, AUTH_VARIABLES);
  if (problem) throw new AuthConfigError(problem);
  const web = await startWebServer({
    redis: config.redis,
    namespace: config.namespace,
    port: config.webPort,
    host: config.webHost,
    auth: config.webAuth,
    registry,
  });
  web.server.unref();
  const warning = exposureWarning(
    config.webHost,
    config.webAuth,
    'set SIDEPUNCH_WEB_AUTH=user:password or SIDEPUNCH_WEB_TOKEN in the environment',
  );
  if (warning) process.stderr.write(warning);
  logger.info(`dashboard at ${web.url}`);
  return web;
}
