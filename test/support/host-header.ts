/**
 * Host headers for the dashboard's DNS-rebinding check, and a raw HTTP request that sends one byte for byte (or none
 * at all), since fetch and node:http normalise or refuse the malformed ones.
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';

/** Names of other sites that begin like a loopback address: a page there, re-pointed at 127.0.0.1, sends them. */
export const REBINDING_HOSTS = [
  '127.0.0.1.evil.example',
  '127.0.0.1.evil.example:PORT',
  '127.1.2.3.nip.io',
  '127.1.2.3.nip.io:PORT',
  'localhost.evil',
  'localhost.evil:PORT',
  '[::1].evil',
  '[::1].evil:PORT',
  'evil.example:PORT',
];

/** Not a loopback address as a browser writes one: refused too. */
export const MALFORMED_HOSTS = [
  '',
  '127.0.0.1:abc',
  '127.0.0.1:',
  '127.0.0.1:99999',
  '127.0.0.1:PORT:PORT',
  '0x7f.1',
  '0x7f.0.0.1',
  '0177.0.0.1',
  '127.0.0.01',
  '127.1',
  '127.0.0.256',
  '::1',
  '[::1',
  '[::1]x',
  'localhost:PORT@evil.example',
];

/** What a browser sends for this machine, with and without the port. */
export const LOOPBACK_HOSTS = [
  '127.0.0.1',
  '127.0.0.1:PORT',
  '127.5.6.7:PORT',
  'localhost',
  'localhost:PORT',
  '[::1]',
  '[::1]:PORT',
];

/**
 * The status of `GET <path>` sent to the server at `url` with `host` as its Host header (`PORT` in it replaced by the
 * server's port), or with none when `host` is undefined (HTTP/1.0, where Host is optional).
 */
export function statusWithHost(url: string, host: string | undefined, path = '/stats'): Promise<number> {
  const target = new URL(url);
  const port = Number(target.port);
  const head =
    host === undefined
      ? `GET ${path} HTTP/1.0\r\n`
      : `GET ${path} HTTP/1.1\r\nHost: ${host.replaceAll('PORT', String(port))}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(port, target.hostname.replace(/^\[|\]$/g, ''));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
      if (status) resolve(Number(status[1]));
      else reject(new Error(`no HTTP status in the answer to Host ${host}: ${JSON.stringify(answer)}`));
    });
    // Written, not ended: a server may drop a connection whose client has closed its side before the answer.
    socket.write(`${head}Connection: close\r\n\r\n`);
  });
}

/** Each host with the status the server at `url` answered, for one readable assertion over the whole list. */
export async function statusesByHost(
  url: string,
  hosts: readonly (string | undefined)[],
): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  for (const host of hosts) statuses[host ?? '(none)'] = await statusWithHost(url, host);
  return statuses;
}

/**
 * What a browser at `origin` gets from the dashboard at `url` through a reverse proxy: the status of a GET of the
 * morgue, then of a Delete posted back from it (Origin: `origin`). The proxy passes the browser's Host through
 * (`proxy_set_header Host $host`), or with `host: 'upstream'` names the dashboard's own (nginx's default).
 */
export async function statusesThroughProxy(
  url: string,
  origin: string,
  host: 'public' | 'upstream',
): Promise<{ get: number; post: number }> {
  const headers: Record<string, string> = {
    host: host === 'public' ? new URL(origin).host : new URL(url).host,
  };
  const page = await send(`${url}/morgue`, 'GET', headers);
  const cookie = [page.headers['set-cookie'] ?? []].flat().map((each) => each.split(';')[0]!);
  // The token every form of the page carries is the cookie's value.
  const token = cookie.find((each) => each.startsWith('sidepunch_csrf='))?.split('=')[1] ?? '';
  const form = new URLSearchParams({ authenticity_token: token, action: 'delete', key: '1-x' }).toString();
  const post = await send(
    `${url}/morgue`,
    'POST',
    { ...headers, origin, cookie: cookie.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    form,
  );
  return { get: page.status, post: post.status };
}

/** node:http rather than fetch, which sends its own Host whatever it is told. */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: text }),
      );
    });
    sent.on('error', reject);
    sent.end(body);
  });
}
