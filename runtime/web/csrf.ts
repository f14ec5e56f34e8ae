/**
 * Cross-site request forgery guard for every POST: the form's `authenticity_token` must equal the browser's
 * `sidepunch_csrf` cookie (HttpOnly, SameSite=Strict, set on the first page), and the request's Origin, when the
 * browser sends one, must be this server (its Host, or a public URL a reverse proxy serves it at). A page on another site can neither read the cookie nor set the header.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isPublicOrigin, type PublicAddress } from './public-url.js';

export const CSRF_COOKIE = 'sidepunch_csrf';
export const CSRF_FIELD = 'authenticity_token';

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Why a POST is refused, or undefined when it may go ahead. */
export function csrfRefusal(
  request: IncomingMessage,
  cookies: Readonly<Record<string, string>>,
  form: URLSearchParams,
  publicAt?: PublicAddress,
): string | undefined {
  const origin = request.headers.origin;
  if (
    origin !== undefined &&
    origin !== 'null' &&
    !sameHost(origin, request.headers.host) &&
    !(publicAt && isPublicOrigin(origin, publicAt))
  ) {
    return `cross-origin request from ${origin}`;
  }
  if (origin === 'null') return 'request from an opaque origin';
  const cookie = cookies[CSRF_COOKIE];
  const sent = form.get(CSRF_FIELD);
  if (!cookie || !sent) return 'missing CSRF token';
  const a = Buffer.from(cookie);
  const b = Buffer.from(sent);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'wrong CSRF token';
  return undefined;
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** `name=value` pairs of the Cookie header. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';').map((pair) => pair.trim())) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at);
    try {
      cookies[name] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      // A malformed cookie is ignored: it cannot be ours.
    }
  }
  return cookies;
}
