/**
 * Where a reverse proxy serves the dashboard (`publicUrl`, or SIDEPUNCH_WEB_PUBLIC_URL). Browsers there send its
 * name as the Host, when the proxy passes it through, and its origin as the Origin of every form, whatever Host the
 * proxy sends on; both checks accept them as the dashboard's own. Named by whoever deploys it, never read from
 * X-Forwarded-* headers, which any client can send.
 */

export class PublicUrlError extends Error {
  override name = 'PublicUrlError';
}

export interface PublicAddress {
  /** `https://jobs.example.com`, as a browser writes its Origin header. */
  readonly origins: ReadonlySet<string>;
  /** `jobs.example.com`, with the port unless it is the scheme's default, as in a Host header. */
  readonly hosts: ReadonlySet<string>;
  /** The path the proxy serves it under (`/sidekiq`), '' for the root, or undefined without a public URL. */
  readonly path?: string;
}

/** From the option, else the environment (several addresses separated by commas or spaces). */
export function publicAddress(
  urls: string | readonly string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): PublicAddress {
  const given = urls ?? (env.SIDEPUNCH_WEB_PUBLIC_URL || undefined)?.split(/[\s,]+/).filter(Boolean) ?? [];
  const parsed = [given].flat().map(parsePublicUrl);
  const paths = new Set(parsed.map((url) => url.pathname.replace(/\/+$/, '')));
  if (paths.size > 1) {
    throw new PublicUrlError(`the public URLs must share one path, not ${[...paths].join(' and ')}`);
  }
  return {
    origins: new Set(parsed.map((url) => url.origin)),
    hosts: new Set(parsed.map((url) => url.host)),
    path: [...paths][0],
  };
}

function parsePublicUrl(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new PublicUrlError(
      `a public URL is the http or https address the dashboard is served at, such as https://jobs.example.com/sidekiq, not "${text}"`,
    );
  }
  return url;
}

/** Whether a request's Origin header is one of the public addresses. */
export function isPublicOrigin(origin: string, address: PublicAddress): boolean {
  try {
    return address.origins.has(new URL(origin).origin);
  } catch {
    return false;
  }
}

/** Whether a request's Host header names one of the public addresses (any case, as DNS names are). */
export function isPublicHost(host: string | undefined, address: PublicAddress): boolean {
  return host !== undefined && address.hosts.has(host.toLowerCase());
}
