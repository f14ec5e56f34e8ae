/**
 * The warning both commands print when the dashboard listens beyond this machine with no authentication: it can
 * delete, retry and kill jobs and stop processes, so saying it once, quietly, is not enough.
 */
import type { AuthSettings } from '../core/dashboard-access.js';
import { isLoopback } from '../web/loopback.js';

export function exposureWarning(host: string, auth: AuthSettings, how: string): string | undefined {
  if (isLoopback(host) || auth.basic !== undefined || auth.token !== undefined) return undefined;
  const rule = '!'.repeat(78);
  return [
    rule,
    `!!! WARNING: the dashboard listens on ${host} WITHOUT AUTHENTICATION.`,
    '!!! Anyone who can reach this port can read every job, delete and retry jobs, and stop processes.',
    `!!! Require a password or a token: ${how}.`,
    rule,
    '',
  ].join('\n');
}
