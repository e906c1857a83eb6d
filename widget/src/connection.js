/**
 * One WebSocket to Parlor that stays up: token in the subprotocol list, reconnect with
 * exponential backoff and full jitter, token refresh before expiry, dead-socket detection,
 * and a clear stop where retrying cannot help (bad key, forbidden origin, rejected token).
 */

import { backoffDelay } from "./backoff.js";
import {
  CLOSE_FLOODING,
  CLOSE_FORBIDDEN,
  CLOSE_NORMAL,
  CLOSE_PROTOCOL,
  CLOSE_QUOTA_EXCEEDED,
  CLOSE_STALE,
  CLOSE_TENANT_SUSPENDED,
  CLOSE_TOKEN_INVALID,
  CLOSE_TOO_LARGE,
  parseFrame,
  pingFrame,
  refreshFrame,
  subprotocols,
} from "./protocol.js";

const MAX_TIMER_DELAY = 2147483647;
const FLOODING_MIN_DELAY = 10000;
const REFRESH_RETRY_DELAY = 30000;

/** An error after which reconnecting cannot help; `reason` is "key", "origin", "token" or "other". */
export class FatalError extends Error {
  constructor(reason, message = reason) {
    super(message);
    this.name = "FatalError";
    this.reason = reason;
  }
}

/**
 * Keeps one socket to `url` open. Options: url, getToken(reason) -> {token, expiresAt},
 * onFrame(frame), onStatus(status, reason), and for tests WebSocket, setTimeout,
 * clearTimeout, now, random, pingInterval.
 */
export class Connection {
  constructor(options) {
    this.options = {
      WebSocket: globalThis.WebSocket,
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (id) => globalThis.clearTimeout(id),
      now: () => Date.now(),
      random: Math.random,
      pingInterval: 25000,
      onFrame: () => {},
      onStatus: () => {},
      ...options,
    };
    this.status = "idle";
    this.socket = null;
    this.token = null;
    this.expiresAt = 0;
    this.attempt = 0;
    this.tokenRejections = 0;
    this.skew = 0;
    this.timers = {};
    this.pendingRefresh = null;
    this.refreshCount = 0;
  }

  /** Start connecting (once); later calls do nothing. */
  start() {
    if (this.status === "idle") this.connect("initial");
  }

  /** Close the socket for good; nothing reconnects afterwards. */
  stop() {
    this.setStatus("stopped");
    this.clearTimers();
    this.closeSocket(CLOSE_NORMAL);
  }

  /** Reconnect now if a reconnect is waiting (the network came back, the panel opened). */
  nudge() {
    if (this.status !== "waiting") return;
    this.clearTimer("reconnect");
    this.connect(this.reconnectReason);
  }

  /** Return true when the socket is open and the server has said hello. */
  isOpen() {
    return this.status === "open";
  }

  /**
   * Send `frame` as JSON if the socket is open; return whether it was sent.
   * @param {object} frame
   */
  send(frame) {
    if (!this.isOpen()) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Use `token` from now on: refreshed in place on an open socket, else on the next connect.
   * @param {string} token
   * @param {number} expiresAt epoch milliseconds (0 when unknown)
   */
  useToken(token, expiresAt = 0) {
    if (token === this.token) return;
    if (this.isOpen()) {
      this.sendRefresh(token, expiresAt);
      return;
    }
    this.token = token;
    this.expiresAt = expiresAt;
  }

  async connect(reason) {
    this.setStatus("connecting");
    try {
      if (!this.token || reason === "expired") await this.fetchToken(reason);
    } catch (error) {
      this.handleTokenError(error);
      return;
    }
    if (this.status !== "connecting") return;
    const url = typeof this.options.url === "function" ? this.options.url() : this.options.url;
    const socket = new this.options.WebSocket(url, subprotocols(this.token));
    this.socket = socket;
    socket.addEventListener("message", (event) => this.socket === socket && this.receive(event));
    socket.addEventListener("close", (event) => this.socket === socket && this.closed(event));
  }

  async fetchToken(reason) {
    const issued = await this.options.getToken(reason);
    this.token = issued.token;
    this.expiresAt = toMillis(issued.expiresAt);
  }

  handleTokenError(error) {
    if (this.status === "stopped") return;
    if (error instanceof FatalError) this.fail(error.reason);
    else this.scheduleReconnect();
  }

  receive(event) {
    this.lastFrameAt = this.options.now();
    const frame = parseFrame(event.data);
    if (!frame) return;
    if (frame.type === "hello") this.greeted(frame);
    else if (frame.type === "auth.ok" || frame.type === "error") this.refreshAnswered(frame);
    this.options.onFrame(frame);
  }

  greeted(frame) {
    const serverTime = Date.parse(frame.server_time);
    this.skew = Number.isNaN(serverTime) ? 0 : serverTime - this.options.now();
    this.attempt = 0;
    this.tokenRejections = 0;
    this.setStatus("open");
    this.schedulePing();
    this.scheduleRefresh();
  }

  closed(event) {
    this.socket = null;
    this.pendingRefresh = null;
    this.clearTimer("ping");
    this.clearTimer("refresh");
    if (this.status === "stopped" || this.status === "fatal") return;
    const code = event.code;
    if (code === CLOSE_FORBIDDEN) this.fail("origin");
    else if (code === CLOSE_PROTOCOL || code === CLOSE_TOO_LARGE) this.fail("other");
    else if (code === CLOSE_TOKEN_INVALID) this.tokenRejected();
    else if (code === CLOSE_TENANT_SUSPENDED) this.fail("other");
    else if (code === CLOSE_FLOODING || code === CLOSE_QUOTA_EXCEEDED) {
      this.scheduleReconnect(FLOODING_MIN_DELAY);
    }
    else this.scheduleReconnect();
  }

  tokenRejected() {
    this.tokenRejections += 1;
    // A second rejection in a row means a fresh token does not help either.
    if (this.tokenRejections > 1) {
      this.fail("token");
      return;
    }
    this.token = null;
    this.scheduleReconnect(0, "expired");
  }

  scheduleReconnect(minimum = 0, reason = "initial") {
    this.reconnectReason = reason;
    this.setStatus("waiting");
    const delay = Math.max(minimum, backoffDelay(this.attempt, { random: this.options.random }));
    this.attempt += 1;
    this.setTimer("reconnect", delay, () => this.connect(reason));
  }

  schedulePing() {
    this.setTimer("ping", this.options.pingInterval, () => {
      const silence = this.options.now() - this.lastFrameAt;
      // Two intervals without any frame (not even a pong): the socket is dead but not closed.
      if (silence >= 2 * this.options.pingInterval) {
        this.dropStale();
        return;
      }
      this.send(pingFrame());
      this.schedulePing();
    });
  }

  dropStale() {
    const socket = this.socket;
    this.closed({ code: CLOSE_STALE });
    if (socket) socket.close(CLOSE_STALE);
  }

  scheduleRefresh() {
    if (!this.expiresAt) return;
    const remaining = this.expiresAt - (this.options.now() + this.skew);
    const delay = Math.min(MAX_TIMER_DELAY, Math.max(1000, remaining * 0.8));
    this.setTimer("refresh", delay, () => this.refresh());
  }

  async refresh() {
    let issued;
    try {
      issued = await this.options.getToken("refresh");
    } catch (error) {
      if (error instanceof FatalError) this.fail(error.reason);
      else this.setTimer("refresh", REFRESH_RETRY_DELAY, () => this.refresh());
      return;
    }
    if (this.isOpen()) this.sendRefresh(issued.token, toMillis(issued.expiresAt));
  }

  sendRefresh(token, expiresAt) {
    if (token === this.token) return;
    this.refreshCount += 1;
    this.pendingRefresh = { id: `refresh-${this.refreshCount}`, token, expiresAt };
    this.send({ ...refreshFrame(token), id: this.pendingRefresh.id });
  }

  refreshAnswered(frame) {
    const pending = this.pendingRefresh;
    if (!pending || frame.re !== pending.id) return;
    this.pendingRefresh = null;
    this.token = pending.token;
    if (frame.type === "auth.ok") {
      this.expiresAt = toMillis(frame.expires_at) || pending.expiresAt;
      this.scheduleRefresh();
      return;
    }
    // The socket keeps the old identity; reconnecting presents the new token from scratch.
    this.dropStale();
  }

  fail(reason) {
    this.clearTimers();
    this.closeSocket(CLOSE_NORMAL);
    this.setStatus("fatal", reason);
  }

  closeSocket(code) {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(code);
  }

  setStatus(status, reason = "") {
    if (this.status === status && !reason) return;
    this.status = status;
    this.options.onStatus(status, reason);
  }

  setTimer(name, delay, fn) {
    this.clearTimer(name);
    this.timers[name] = this.options.setTimeout(() => {
      delete this.timers[name];
      fn();
    }, delay);
  }

  clearTimer(name) {
    if (this.timers[name] === undefined) return;
    this.options.clearTimeout(this.timers[name]);
    delete this.timers[name];
  }

  clearTimers() {
    for (const name of Object.keys(this.timers)) this.clearTimer(name);
  }
}

/**
 * Return `value` (ISO 8601 string or epoch ms) as epoch milliseconds, 0 when unknown.
 * @param {string|number|undefined} value
 */
export function toMillis(value) {
  if (typeof value === "number") return value;
  const parsed = Date.parse(value || "");
  return Number.isNaN(parsed) ? 0 : parsed;
}
