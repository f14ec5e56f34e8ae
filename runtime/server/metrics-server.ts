/**
 * The page `sidepunch-run --metrics-port` serves: `GET /metrics` answers Prometheus' text format from `collect()`;
 * anything else is a 404. Bound to 127.0.0.1 unless `--metrics-host` says otherwise; it never keeps the process up.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.js';
import type { RuntimeConfig } from './run-config.js';

export class MetricsServerError extends Error {
  override name = 'MetricsServerError';
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function serveMetrics(
  config: RuntimeConfig,
  logger: Logger,
  collect: () => string | Promise<string>,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' });
      return void response.end('not found: the metrics are at GET /metrics\n');
    }
    Promise.resolve()
      .then(collect)
      .then(
        (text) => {
          response.writeHead(200, { 'content-type': CONTENT_TYPE });
          response.end(text);
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`could not collect the metrics: ${error.message}\n`);
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${config.metricsHost}:${config.metricsPort}`;
      reject(
        new MetricsServerError(
          error.code === 'EADDRINUSE'
            ? `cannot serve metrics on ${where}: the port is in use`
            : `cannot serve metrics on ${where}: ${error.message}`,
        ),
      );
    });
    server.listen(config.metricsPort, config.metricsHost, () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  logger.info(`metrics at http://${config.metricsHost}:${port}/metrics`);
  return server;
}
