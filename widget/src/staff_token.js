/** Agent tokens for a staff member logged in to the dashboard (session cookie and CSRF). */

import { FatalError } from "./connection.js";

/**
 * Return a fresh agent token from the dashboard's token endpoint, as Connection's getToken
 * wants it; a session that ended (401, 403) is final: the agent must log in again.
 * @param {string} url the dashboard's agent-token endpoint
 * @param {string} csrf the page's CSRF token
 * @param {typeof fetch} [fetchImpl]
 * @returns {Promise<{token: string, expiresAt: string}>}
 */
export async function staffTokenFetch(url, csrf, fetchImpl = globalThis.fetch) {
  const response = await fetchImpl(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrf },
  });
  if (response.status === 401 || response.status === 403) throw new FatalError("session");
  if (!response.ok) throw new Error(`agent token: HTTP ${response.status}`);
  const issued = await response.json();
  return { token: issued.token, expiresAt: issued.expires_at };
}
