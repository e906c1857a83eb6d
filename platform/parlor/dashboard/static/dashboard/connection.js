/**
 * A live agent connection for the dashboard, speaking docs/protocol.md: it fetches an agent
 * token from the dashboard (session + CSRF), joins one room, delivers its messages once and in
 * seq order, sends with client_msg_id (re-sent after a reconnect until acknowledged), and
 * refreshes the token before it expires.
 */

const SUBPROTOCOL = "parlor.v1";
const TOKEN_PREFIX = "parlor.token.";
const REFRESH_AT = 0.8; // of the token's remaining life
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30000;
// Close codes after which retrying cannot help (docs/protocol.md, "Close codes").
const FINAL_CLOSE_CODES = new Set([4400, 4403, 4413]);

/** The dashboard session is gone: the user must log in again. */
export class SessionEnded extends Error {}

/**
 * Fetch a new agent token for the logged-in staff user.
 * @param {string} url the dashboard's agent-token endpoint
 * @param {string} csrf the page's CSRF token
 * @returns {Promise<{token: string, expires_at: string}>}
 */
export async function fetchAgentToken(url, csrf) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrf },
  });
  if (response.status === 401 || response.status === 403) throw new SessionEnded();
  if (!response.ok) throw new Error(`agent token: HTTP ${response.status}`);
  return response.json();
}

/** One socket following one room for a staff user. */
export class AgentConnection {
  /**
   * @param {{wsUrl: string, tokenUrl: string, csrf: string, room: string, lastSeq: number,
   *   onMessage: (message: object) => void, onStatus: (status: string, detail?: string) => void}} options
   */
  constructor(options) {
    this.options = options;
    this.lastSeq = options.lastSeq;
    this.pending = new Map(); // client_msg_id -> body, until acknowledged
    this.socket = null;
    this.joined = false;
    this.backoff = MIN_BACKOFF_MS;
    this.refreshTimer = 0;
    this.stopped = false;
  }

  /** Whether a send goes out now (else the page falls back to a plain form post). */
  get ready() {
    return this.joined && this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Connect (again) with a fresh token. */
  async connect() {
    this.options.onStatus("connecting");
    let issued;
    try {
      issued = await fetchAgentToken(this.options.tokenUrl, this.options.csrf);
    } catch (error) {
      this.fail(error);
      return;
    }
    const socket = new WebSocket(this.options.wsUrl, [SUBPROTOCOL, TOKEN_PREFIX + issued.token]);
    this.socket = socket;
    socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => this.closed(socket, event.code));
    this.scheduleRefresh(issued.expires_at);
  }

  /**
   * Send a reply; returns its client_msg_id.
   * @param {string} body
   */
  send(body) {
    const clientMsgId = crypto.randomUUID();
    this.pending.set(clientMsgId, body);
    this.sendFrame({ type: "send", room: this.options.room, body, client_msg_id: clientMsgId });
    return clientMsgId;
  }

  receive(frame) {
    switch (frame.type) {
      case "hello":
        this.sendFrame({ type: "join", room: this.options.room, since_seq: this.lastSeq });
        break;
      case "joined":
        if (frame.room !== this.options.room) break;
        frame.messages.forEach((message) => this.deliver(message));
        this.joined = true;
        this.backoff = MIN_BACKOFF_MS;
        this.options.onStatus("live");
        for (const [id, body] of this.pending) {
          this.sendFrame({ type: "send", room: this.options.room, body, client_msg_id: id });
        }
        break;
      case "message":
        if (frame.room === this.options.room) this.deliver(frame);
        break;
      case "ack":
        this.pending.delete(frame.client_msg_id);
        break;
      case "auth.ok":
        this.scheduleRefresh(frame.expires_at);
        break;
      case "error":
        this.options.onStatus("error", frame.detail);
        if (frame.code === "body_too_large" || frame.code === "body_empty") this.pending.clear();
        break;
      default:
        break;
    }
  }

  deliver(message) {
    if (message.seq <= this.lastSeq) return;
    this.lastSeq = message.seq;
    this.options.onMessage(message);
  }

  sendFrame(frame) {
    if (this.socket !== null && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
    }
  }

  scheduleRefresh(expiresAt) {
    clearTimeout(this.refreshTimer);
    const remaining = Date.parse(expiresAt) - Date.now();
    this.refreshTimer = setTimeout(() => this.refresh(), Math.max(remaining * REFRESH_AT, 1000));
  }

  async refresh() {
    try {
      const issued = await fetchAgentToken(this.options.tokenUrl, this.options.csrf);
      this.sendFrame({ type: "auth.refresh", token: issued.token });
    } catch (error) {
      this.fail(error);
    }
  }

  closed(socket, code) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.joined = false;
    clearTimeout(this.refreshTimer);
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this.options.onStatus("stopped", `closed with ${code}`);
      return;
    }
    this.retry();
  }

  fail(error) {
    if (error instanceof SessionEnded) {
      this.stopped = true;
      if (this.socket !== null) this.socket.close(1000);
      this.options.onStatus("session-ended");
      return;
    }
    if (this.socket === null) this.retry();
  }

  retry() {
    this.options.onStatus("reconnecting");
    const delay = this.backoff * (0.5 + Math.random());
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    setTimeout(() => this.connect(), delay);
  }
}
