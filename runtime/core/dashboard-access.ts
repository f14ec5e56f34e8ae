/**
 * Where the dashboard listens unless told otherwise, and who may open it: what `sidepunch-run --web`'s config
 * (server/run-config.ts), `sidepunch-web` and the dashboard itself (web/) share. Here, so the runtime's config
 * does not reach into the dashboard's code.
 */

/** 9292, as Sidekiq's Web UI under rackup. */
export const DEFAULT_WEB_PORT = 9292;
export const DEFAULT_WEB_HOST = '127.0.0.1';

/** Neither set: anyone who can reach the port may use the dashboard. */
export interface AuthSettings {
  /** `user:password` for HTTP Basic. */
  readonly basic?: string;
  /** A secret sent as `Authorization: Bearer <token>`, or once as `?token=` to get a cookie. */
  readonly token?: string;
}

/** From SIDEPUNCH_WEB_AUTH and SIDEPUNCH_WEB_TOKEN, so the secrets stay out of the process list; empty is unset. */
export function authFromEnv(env: NodeJS.ProcessEnv): AuthSettings {
  return { basic: env.SIDEPUNCH_WEB_AUTH || undefined, token: env.SIDEPUNCH_WEB_TOKEN || undefined };
}

/** How messages name the two secrets: by their flags, or by their variables when they came from the environment. */
export interface AuthNames {
  readonly basic: string;
  readonly token: string;
}

export const AUTH_FLAGS: AuthNames = { basic: '--auth', token: '--token' };
export const AUTH_VARIABLES: AuthNames = { basic: 'SIDEPUNCH_WEB_AUTH', token: 'SIDEPUNCH_WEB_TOKEN' };

/** Why the settings cannot be used, in one line naming the secret as the user gave it; undefined when they can. */
export function authProblem(settings: AuthSettings, names: AuthNames = AUTH_FLAGS): string | undefined {
  if (settings.basic !== undefined) {
    const colon = settings.basic.indexOf(':');
    if (colon <= 0 || colon === settings.basic.length - 1)
      return `${names.basic} needs user:password, both non-empty`;
  }
  if (settings.token !== undefined && settings.token.length < 16)
    return `${names.token} needs at least 16 characters`;
  return undefined;
}
