/** Reading (never verifying) the claims of a JWT: its expiry and the name it bears. */

/**
 * Return the `exp` claim of `token` in epoch milliseconds, or 0 when it cannot be read.
 * @param {string} token
 * @returns {number}
 */
export function tokenExpiry(token) {
  const exp = tokenClaims(token).exp;
  return Number.isFinite(exp) ? exp * 1000 : 0;
}

/**
 * Return the `name` claim of `token` (what agents see on its messages), or "".
 * @param {string} token
 * @returns {string}
 */
export function tokenName(token) {
  const name = tokenClaims(token).name;
  return typeof name === "string" ? name : "";
}

function tokenClaims(token) {
  const payload = String(token || "").split(".")[1];
  if (!payload) return {};
  try {
    const json = new TextDecoder().decode(
      Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
    );
    const claims = JSON.parse(json);
    return claims && typeof claims === "object" ? claims : {};
  } catch {
    return {};
  }
}
