/** The widget session endpoint: an anonymous visitor token and the tenant's widget settings. */

import { FatalError } from "./connection.js";

export const SESSION_PATH = "/api/v1/widget/sessions";

/**
 * Start a widget session for publishable key `key`, continuing visitor `visitor` when given.
 * Throws FatalError("key" | "origin") when retrying cannot help, a plain Error otherwise.
 * @param {{base: string, key: string, visitor?: string|null, fetch?: Function}} options
 * @returns {Promise<{token: string, expiresAt: string, visitor: string, conversation: string,
 *   wsUrl: string, widget: object}>}
 */
export async function sessionCreate({ base, key, visitor = null, fetch = globalThis.fetch }) {
  const body = visitor ? { key, visitor } : { key };
  const response = await fetch(base + SESSION_PATH, {
    method: "POST",
    mode: "cors",
    credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw sessionError(response.status, answer);
  return {
    token: answer.token,
    expiresAt: answer.expires_at,
    visitor: answer.visitor,
    conversation: answer.conversation,
    wsUrl: answer.ws_url || websocketUrl(base),
    widget: answer.widget || {},
  };
}

/**
 * Return the error for a failed session answer: fatal for a bad key or origin, else retryable.
 * @param {number} status
 * @param {{code?: string, detail?: string}} problem
 */
export function sessionError(status, problem) {
  const code = String(problem?.code || "");
  if (status === 403 && /origin/.test(code)) return new FatalError("origin", code);
  if (status === 400 || status === 401 || status === 403 || status === 404) {
    // A visitor id the server no longer accepts is not the key's fault: start over without it.
    if (/visitor/.test(code)) return new Error(code);
    return new FatalError("key", code || String(status));
  }
  return new Error(code || `session endpoint answered ${status}`);
}

/**
 * Return the WebSocket URL of the platform at `base` (http -> ws, https -> wss).
 * @param {string} base
 */
export function websocketUrl(base) {
  return `${base.replace(/^http/, "ws")}/ws/v1/`;
}
