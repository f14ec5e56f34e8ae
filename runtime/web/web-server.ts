/**
 * `startWebServer`: the dashboard (dashboard.ts) on its own port, as `sidepunch-web` and `sidepunch-run --web`
 * serve it. Bound to 127.0.0.1 unless told otherwise; there it also refuses requests whose Host is not this machine.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT } from '../core/dashboard-access.js';
import { createDashboard, type Dashboard, type DashboardOptions } from './dashboard.js';
import { isLoopback } from './loopback.js';
import { PublicUrlError } from './public-url.js';

export interface WebServerOptions extends Omit<DashboardOptions, 'loopbackOnly'> {
  /** Default 9292, as Sidekiq's Web UI under rackup; 0 takes any free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. Anything else exposes the dashboard to the network: set `auth`. */
  readonly host?: string | undefined;
}

export interface WebServer {
  /** `http://host:port` (and the base path), with the port actually bound. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly server: Server;
  close(): Promise<void>;
}

export class WebServerError extends Error {
  override name = 'WebServerError';
}

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const host = options.host ?? DEFAULT_WEB_HOST;
  const port = options.port ?? DEFAULT_WEB_PORT;
  const dashboard = dashboardOrError({ ...options, loopbackOnly: isLoopback(host) });
  const server = createServer(dashboard.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.message;
      reject(new WebServerError(`cannot serve the dashboard on ${host}:${port}: ${why}`));
    });
    server.listen(port, host, () => resolve());
  }).catch(async (error) => {
    await dashboard.close();
    throw error;
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}${dashboard.basePath}`,
    port: bound,
    host,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dashboard.close();
    },
  };
}

/** A public URL that does not parse is the commands' one-line start-up failure. */
function dashboardOrError(options: DashboardOptions): Dashboard {
  try {
    return createDashboard(options);
  } catch (error) {
    if (error instanceof PublicUrlError) throw new WebServerError(error.message);
    throw error;
  }
}
