/** Parlor WebSocket protocol v1 as the browser speaks it (docs/protocol.md). */

export const SUBPROTOCOL = "parlor.v1";
export const TOKEN_SUBPROTOCOL_PREFIX = "parlor.token.";

export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL = 4400;
export const CLOSE_TOKEN_INVALID = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_TOO_LARGE = 4413;
export const CLOSE_QUOTA_EXCEEDED = 4423;
export const CLOSE_FLOODING = 4429;
/** The tenant is suspended by the platform operator: chat is unavailable, do not retry. */
export const CLOSE_TENANT_SUSPENDED = 4451;
/** Closed by this client because the socket stopped answering pings. */
export const CLOSE_STALE = 4000;

export const MAX_BODY_BYTES = 4096;
export const MAX_ID_LENGTH = 64;

/**
 * Return the subprotocol list that carries `token` without putting it in the URL.
 * @param {string} token
 * @returns {string[]}
 */
export function subprotocols(token) {
  return [SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token];
}

/**
 * Parse one text frame; return the frame object, or null when it is not a typed JSON object.
 * @param {string} data
 * @returns {object|null}
 */
export function parseFrame(data) {
  if (typeof data !== "string") return null;
  let frame;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (!frame || typeof frame !== "object" || Array.isArray(frame)) return null;
  return typeof frame.type === "string" ? frame : null;
}

/** Return the `join` frame for `room`, resuming after `sinceSeq` when it is a number. */
export function joinFrame(room, sinceSeq) {
  const frame = { type: "join", room };
  if (Number.isInteger(sinceSeq) && sinceSeq >= 0) frame.since_seq = sinceSeq;
  return frame;
}

/** Return the `send` frame for `body` in `room` with the client's idempotency id. */
export function sendFrame(room, body, clientMsgId) {
  return { type: "send", room, body, client_msg_id: clientMsgId };
}

/** Return a `history` frame asking for up to `limit` messages before `beforeSeq`. */
export function historyFrame(room, beforeSeq, limit = 30) {
  return { type: "history", room, before: beforeSeq, limit };
}

/** Return a `typing` frame. */
export function typingFrame(room, active) {
  return { type: "typing", room, active: Boolean(active) };
}

/** Return a `read` frame acknowledging everything up to `seq`. */
export function readFrame(room, seq) {
  return { type: "read", room, seq };
}

/** Return a `ping` frame. */
export function pingFrame() {
  return { type: "ping" };
}

/** Return an `auth.refresh` frame carrying a new token. */
export function refreshFrame(token) {
  return { type: "auth.refresh", token };
}

/**
 * Return the UTF-8 length of `text` in bytes.
 * @param {string} text
 */
export function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

/** Return a fresh client message id (at most 64 characters). */
export function newClientMessageId() {
  const cryptoApi = globalThis.crypto;
  if (cryptoApi && typeof cryptoApi.randomUUID === "function") return cryptoApi.randomUUID();
  const bytes = new Uint8Array(16);
  cryptoApi.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
