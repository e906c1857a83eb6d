/** Reading (never verifying) the expiry of a JWT the host page gives the widget. */

/**
 * Return the `exp` claim of `token` in epoch milliseconds, or 0 when it cannot be read.
 * @param {string} token
 * @returns {number}
 */
export function tokenExpiry(token) {
  const payload = String(token || "").split(".")[1];
  if (!payload) return 0;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = JSON.parse(json).exp;
    return Number.isFinite(exp) ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}
