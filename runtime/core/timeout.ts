/**
 * The longest worker `timeout` a Node timer can hold: 2^31 - 1 ms, about 24.8 days. Node fires a longer timer
 * after 1 ms, so sidepunch-gen refuses a longer `timeout` (SP2007) and the executor treats one (from a worker
 * registered by hand, or a payload) as no timeout.
 */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

/** A `timeout` to enforce: seconds > 0 that a timer can hold. Beyond that, or Infinity, it is no timeout. */
export function isEnforceableTimeout(timeout: unknown): timeout is number {
  return typeof timeout === 'number' && timeout > 0 && timeout <= MAX_TIMEOUT_SECONDS;
}
