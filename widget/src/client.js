/**
 * Rooms on top of a Connection: joins (and re-joins after every reconnect with since_seq,
 * so nothing is missed or doubled), the outbox of unacknowledged messages, and the frames
 * the UI needs, as events.
 */

import { Connection } from "./connection.js";
import { createOutbox } from "./outbox.js";
import {
  historyFrame,
  joinFrame,
  newClientMessageId,
  readFrame,
  sendFrame,
  typingFrame,
} from "./protocol.js";

const RATE_LIMIT_RETRY = 3000;
const PERMANENT_SEND_ERRORS = ["body_too_large", "body_empty", "bad_frame", "forbidden"];

/**
 * A chat client. Options: everything Connection takes (url, getToken, ...), `store` for the
 * persisted outbox, and `onEvent(type, payload)` receiving "status", "hello", "joined",
 * "message", "ack", "typing", "read", "presence", "history", "inbox", "failed", "error".
 */
export class ChatClient {
  constructor({ store, onEvent = () => {}, ...connectionOptions }) {
    this.onEvent = onEvent;
    this.outbox = createOutbox(store);
    this.rooms = new Map();
    this.principal = null;
    this.conversation = null;
    this.connection = new Connection({
      ...connectionOptions,
      onFrame: (frame) => this.receive(frame),
      onStatus: (status, reason) => this.statusChanged(status, reason),
    });
  }

  /** Connect; rooms joined before or after this are (re)joined once the server says hello. */
  start() {
    this.connection.start();
  }

  /** Disconnect for good. */
  stop() {
    this.connection.stop();
  }

  /** Return true when frames can be sent now. */
  isOpen() {
    return this.connection.isOpen();
  }

  /**
   * Join `room` now or on the next connect, resuming after the last message seen.
   * @param {string} room
   * @param {number|null} [sinceSeq] the last seq already shown (a page rendered by the server)
   */
  join(room, sinceSeq = null) {
    if (!this.rooms.has(room)) this.rooms.set(room, { lastSeq: sinceSeq, joined: false });
    this.sendJoin(room);
  }

  /**
   * Queue `body` for `room` and send it as soon as the room is joined; return the entry.
   * @param {string} room
   * @param {string} body
   * @returns {{room: string, body: string, client_msg_id: string, created_at: string}}
   */
  send(room, body) {
    const entry = this.outbox.add({
      room,
      body,
      client_msg_id: newClientMessageId(),
      created_at: new Date().toISOString(),
    });
    this.flush(room);
    return entry;
  }

  /** Ask for up to `limit` messages of `room` older than `beforeSeq`. */
  history(room, beforeSeq, limit) {
    return this.connection.send({ ...historyFrame(room, beforeSeq, limit), id: `h:${room}` });
  }

  /** Tell the room whether this client is typing. */
  typing(room, active) {
    return this.connection.send(typingFrame(room, active));
  }

  /** Tell the room that this client has read everything up to `seq`. */
  read(room, seq) {
    return this.connection.send(readFrame(room, seq));
  }

  /** Return the highest seq seen in `room`, or null. */
  lastSeq(room) {
    return this.rooms.get(room)?.lastSeq ?? null;
  }

  sendJoin(room) {
    const state = this.rooms.get(room);
    this.connection.send({ ...joinFrame(room, state.lastSeq ?? undefined), id: `j:${room}` });
  }

  flush(room) {
    const state = this.rooms.get(room);
    if (!state || !state.joined || !this.isOpen()) return;
    for (const entry of this.outbox.list(room)) {
      this.connection.send({ ...sendFrame(room, entry.body, entry.client_msg_id), id: `s:${entry.client_msg_id}` });
    }
  }

  statusChanged(status, reason) {
    if (status !== "open") for (const state of this.rooms.values()) state.joined = false;
    this.onEvent("status", { status, reason });
  }

  receive(frame) {
    const handler = FRAME_HANDLERS[frame.type];
    if (handler) handler(this, frame);
    else this.onEvent(frame.type, frame);
  }

  seen(room, seq) {
    const state = this.rooms.get(room);
    if (!state || !Number.isInteger(seq)) return;
    const previous = state.lastSeq;
    if (previous === null || seq > previous) state.lastSeq = seq;
    // A live message after a gap: fetch what lies between, the UI dedupes by seq.
    if (previous !== null && seq > previous + 1 && state.joined) {
      this.connection.send({ type: "history", room, after: previous, limit: 100, id: `g:${room}` });
    }
  }

  settle(clientMsgId) {
    if (clientMsgId) this.outbox.remove(clientMsgId);
  }
}

const FRAME_HANDLERS = {
  hello(client, frame) {
    client.principal = frame.principal || null;
    client.conversation = frame.conversation || null;
    client.onEvent("hello", frame);
    for (const room of client.rooms.keys()) client.sendJoin(room);
  },
  joined(client, frame) {
    const state = client.rooms.get(frame.room);
    if (!state) return;
    const messages = Array.isArray(frame.messages) ? frame.messages : [];
    for (const message of messages) client.seen(frame.room, message.seq);
    if (state.lastSeq === null && Number.isInteger(frame.last_seq)) state.lastSeq = frame.last_seq;
    state.joined = true;
    for (const message of messages) if (isOwn(client, message)) client.settle(message.client_msg_id);
    client.onEvent("joined", frame);
    client.flush(frame.room);
  },
  message(client, frame) {
    client.seen(frame.room, frame.seq);
    if (isOwn(client, frame)) client.settle(frame.client_msg_id);
    client.onEvent("message", frame);
  },
  ack(client, frame) {
    client.settle(frame.client_msg_id);
    client.onEvent("ack", frame);
  },
  history(client, frame) {
    const messages = Array.isArray(frame.messages) ? frame.messages : [];
    for (const message of messages) client.seen(frame.room, message.seq);
    client.onEvent("history", frame);
  },
  error(client, frame) {
    const re = typeof frame.re === "string" ? frame.re : "";
    if (re.startsWith("s:")) sendFailed(client, re.slice(2), frame);
    if (re.startsWith("j:")) joinFailed(client, re.slice(2), frame);
    client.onEvent("error", frame);
  },
};

function sendFailed(client, clientMsgId, frame) {
  const entry = client.outbox.list().find((item) => item.client_msg_id === clientMsgId);
  if (!entry) return;
  if (PERMANENT_SEND_ERRORS.includes(frame.code)) {
    client.outbox.remove(clientMsgId);
    client.onEvent("failed", { ...entry, code: frame.code });
    return;
  }
  if (frame.code === "not_joined") {
    client.sendJoin(entry.room);
    return;
  }
  // rate_limited, internal: the entry stays queued and goes out again shortly.
  client.connection.options.setTimeout(() => client.flush(entry.room), RATE_LIMIT_RETRY);
}

// A join answered `internal` (the server's database connection was lost, e.g. after an
// outage) is retried: otherwise the room would stay unjoined until the next reconnect.
function joinFailed(client, room, frame) {
  if (frame.code !== "internal" || !client.rooms.has(room)) return;
  client.connection.options.setTimeout(() => {
    if (client.rooms.has(room) && !client.rooms.get(room).joined && client.isOpen()) client.sendJoin(room);
  }, RATE_LIMIT_RETRY);
}

function isOwn(client, message) {
  const sender = message.sender;
  const self = client.principal;
  return Boolean(sender && self && sender.id === self.id && sender.kind === self.kind);
}
