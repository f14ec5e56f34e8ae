/**
 * Who may open the dashboard: HTTP Basic with one user and password (`--auth user:password`), or a bearer token
 * (`--token`), or anyone when neither is set. Both checks compare SHA-256 digests with `timingSafeEqual`, so the
 * time taken says nothing about how much of a guess was right, nor its length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AuthSettings, authProblem } from '../core/dashboard-access.js';

export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

/** The cookie a browser holds after opening the dashboard with `?token=`. */
export const TOKEN_COOKIE = 'sidepunch_token';

export type AuthVerdict = 'allowed' | 'denied';

export class Authenticator {
  private readonly basicDigest?: Buffer;
  private readonly tokenDigest?: Buffer;

  constructor(settings: AuthSettings) {
    const problem = authProblem(settings);
    if (problem) throw new AuthConfigError(problem);
    if (settings.basic !== undefined) this.basicDigest = digest(settings.basic);
    if (settings.token !== undefined) this.tokenDigest = digest(settings.token);
  }

  /** True when anyone who can reach the port may use the dashboard. */
  get open(): boolean {
    return !this.basicDigest && !this.tokenDigest;
  }

  get usesBasic(): boolean {
    return this.basicDigest !== undefined;
  }

  check(request: IncomingMessage, cookies: Readonly<Record<string, string>>): AuthVerdict {
    if (this.open) return 'allowed';
    const header = request.headers.authorization ?? '';
    if (this.basicDigest && header.startsWith('Basic ')) {
      const given = Buffer.from(header.slice(6), 'base64').toString('utf8');
      if (sameSecret(digest(given), this.basicDigest)) return 'allowed';
    }
    if (this.tokenDigest) {
      const given = header.startsWith('Bearer ') ? header.slice(7) : cookies[TOKEN_COOKIE];
      if (given !== undefined && sameSecret(digest(given), this.tokenDigest)) return 'allowed';
    }
    return 'denied';
  }

  /** Whether `?token=` carries the right token (the browser then gets it as a cookie). */
  tokenMatches(given: string): boolean {
    return this.tokenDigest !== undefined && sameSecret(digest(given), this.tokenDigest);
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

function sameSecret(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
