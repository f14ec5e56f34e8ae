/**
 * Which names mean this machine: for the address the dashboard binds to, and for the Host header of each request
 * it serves there. Only exact forms count — a dotted quad in 127.0.0.0/8, `::1`, `localhost` — because a prefix
 * test lets `127.0.0.1.evil.example`, a name its owner can re-point at 127.0.0.1 (DNS rebinding), through.
 */

/** A decimal octet as a browser writes it: 0–255, no leading zero (`010` would be octal to some parsers). */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const LOOPBACK_IPV4 = new RegExp(`^127\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** True for an address or name only this machine can reach (`127.0.0.1`, `127.1.2.3`, `::1`, `localhost`). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || LOOPBACK_IPV4.test(host);
}

/**
 * True when a Host header names this machine: `127.0.0.1`, `localhost` or `[::1]`, with or without a port
 * (1–65535); anything else, a missing or malformed header included, is false.
 */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  const parts = header === undefined ? null : /^(\[::1\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header);
  if (!parts) return false;
  const [, name, port] = parts;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return false;
  return name === '[::1]' || name!.toLowerCase() === 'localhost' || LOOPBACK_IPV4.test(name!);
}
