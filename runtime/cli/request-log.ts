/**
 * `sidepunch-web -v`: one debug line per request once it is answered, with its method, path, status and the time
 * taken. The path only: a query string can carry the dashboard's token (`?token=`).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../core/logger.js';

export function logRequests(server: Server, logger: Logger): void {
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    response.once('finish', () => {
      const path = (request.url ?? '/').split('?')[0];
      const ms = Math.round(performance.now() - started);
      logger.debug(`${request.method} ${path} ${response.statusCode} ${ms}ms`);
    });
  });
}
