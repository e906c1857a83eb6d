/** Reconnect delays: exponential backoff with full jitter. */

/**
 * Return the delay in ms before attempt `attempt` (0-based): uniform in [0, min(cap, base*2^n)].
 * @param {number} attempt
 * @param {{base?: number, cap?: number, random?: () => number}} [options]
 * @returns {number}
 */
export function backoffDelay(attempt, { base = 500, cap = 30000, random = Math.random } = {}) {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
