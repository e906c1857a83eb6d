/** The widget session endpoint: an anonymous visitor token and the tenant's widget settings. */

import { FatalError } from "./connection.js";

export const SESSION_PATH = "/api/v1/widget/sessions";

/**
 * Start a widget session for publishable key `key`, continuing visitor `visitor` when given.
 * Throws FatalError("key" | "origin") when retrying cannot help, a plain Error otherwise.
 * @param {{base: string, key: string, visitor?: string|null, fetch?: Function}} options
 * @returns {Promise<{token: string, expiresAt: string, visitor: string, conversation: string,
 *   wsUrl: string, widget: object, status: object|null, followup: object}>}
 */
export async function sessionCreate({ base, key, visitor = null, fetch = globalThis.fetch }) {
  const body = visitor ? { key, visitor } : { key };
  let response;
  try {
    response = await fetch(base + SESSION_PATH, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    // CORS hides a refusal's status from us; if the platform answers otherwise, it refused.
    throw (await platformAnswers(base, fetch)) ? new RefusedError() : error;
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw sessionError(response.status, answer);
  return {
    token: answer.token,
    expiresAt: answer.expires_at,
    visitor: answer.visitor,
    conversation: answer.conversation,
    wsUrl: answer.ws_url || websocketUrl(base),
    widget: answer.widget || {},
    status: answer.status || null,
    followup: answer.followup || {},
  };
}

/** The platform answers but will not share its answer with this page (CORS refusal). */
export class RefusedError extends Error {
  constructor() {
    super("the platform refused this page's origin or key");
    this.name = "RefusedError";
  }
}

/**
 * Return whether the platform at `base` answers at all: an opaque no-cors request resolves
 * whenever a response arrives, whatever CORS would say.
 * @param {string} base
 * @param {Function} fetch
 */
export async function platformAnswers(base, fetch) {
  try {
    await fetch(`${base}/healthz`, { mode: "no-cors", credentials: "omit", cache: "no-store" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Return the error for a failed session answer: fatal for a bad key or origin, else retryable.
 * @param {number} status
 * @param {{code?: string, detail?: string}} problem
 */
export function sessionError(status, problem) {
  const code = String(problem?.code || "");
  if (status === 403 && /origin/.test(code)) return new FatalError("origin", code);
  // Suspended by the platform operator: a neutral "chat unavailable", naming no reason.
  if (status === 403 && code === "tenant_suspended") return new FatalError("other", code);
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
