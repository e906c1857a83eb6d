/**
 * The messages of one room as the UI shows them: ordered by seq, each message once (by
 * client_msg_id or id), one's own messages with a state: sending, sent, read or failed.
 */

/** A message list keyed so that a pending message, its ack and its echo are one item. */
export class Conversation {
  /**
   * @param {{kind: string, id: string}|null} self the principal this client speaks as
   */
  constructor(self = null) {
    this.self = self;
    this.items = [];
    this.byKey = new Map();
    this.readSeq = 0;
    this.order = 0;
  }

  /** Set who "me" is (from the server's hello). */
  setSelf(self) {
    this.self = self;
  }

  /**
   * Add one's own message before the server has it; returns the new item.
   * @param {{client_msg_id: string, body: string, created_at: string, room: string}} entry
   */
  addPending(entry) {
    const existing = this.byKey.get(entry.client_msg_id);
    if (existing) return existing;
    return this.insert({
      key: entry.client_msg_id,
      id: null,
      seq: null,
      room: entry.room,
      body: entry.body,
      sender: this.self,
      sentAt: entry.created_at,
      mine: true,
      state: "sending",
    });
  }

  /**
   * Record the server's `message` (live, missed or history); returns {item, added}.
   * @param {object} frame
   */
  applyMessage(frame) {
    const key = frame.client_msg_id || `id:${frame.id}`;
    const mine = this.isMine(frame.sender);
    const existing = this.byKey.get(key);
    if (existing) {
      const previousSeq = existing.seq;
      Object.assign(existing, {
        id: frame.id,
        seq: frame.seq,
        sentAt: frame.sent_at,
        sender: frame.sender,
        state: existing.state === "read" || (mine && frame.seq <= this.readSeq) ? "read" : "sent",
      });
      if (previousSeq !== frame.seq) this.sort();
      return { item: existing, added: false };
    }
    const item = this.insert({
      key,
      id: frame.id,
      seq: frame.seq,
      room: frame.room,
      body: String(frame.body ?? ""),
      sender: frame.sender,
      sentAt: frame.sent_at,
      mine,
      state: mine ? (frame.seq <= this.readSeq ? "read" : "sent") : "received",
    });
    return { item, added: true };
  }

  /** Apply an `ack` to the pending message it answers; returns the item or null. */
  applyAck(frame) {
    const item = this.byKey.get(frame.client_msg_id);
    if (!item) return null;
    item.id = frame.id;
    item.seq = frame.seq;
    item.sentAt = frame.sent_at || item.sentAt;
    if (item.state === "sending") item.state = frame.seq <= this.readSeq ? "read" : "sent";
    this.sort();
    return item;
  }

  /** Mark one's own messages up to `seq` as read by the other side; returns the changed items. */
  applyRead(seq) {
    if (!Number.isInteger(seq) || seq <= this.readSeq) return [];
    this.readSeq = seq;
    const changed = [];
    for (const item of this.items) {
      if (item.mine && item.state === "sent" && item.seq <= seq) {
        item.state = "read";
        changed.push(item);
      }
    }
    return changed;
  }

  /** Mark the pending message `clientMsgId` as not sent; returns the item or null. */
  markFailed(clientMsgId) {
    const item = this.byKey.get(clientMsgId);
    if (item) item.state = "failed";
    return item || null;
  }

  /** Return the smallest seq shown, or null. */
  oldestSeq() {
    const first = this.items.find((item) => item.seq !== null);
    return first ? first.seq : null;
  }

  /** Return the largest seq shown, or null. */
  newestSeq() {
    let newest = null;
    for (const item of this.items) if (item.seq !== null) newest = item.seq;
    return newest;
  }

  /** Forget every message (a different visitor or user now). */
  clear() {
    this.items = [];
    this.byKey.clear();
    this.readSeq = 0;
  }

  isMine(sender) {
    const self = this.self;
    return Boolean(sender && self && sender.id === self.id && sender.kind === self.kind);
  }

  insert(item) {
    item.order = this.order++;
    this.items.push(item);
    this.byKey.set(item.key, item);
    this.sort();
    return item;
  }

  sort() {
    // Stored messages in seq order; pending ones after them, in the order they were typed.
    this.items.sort((a, b) => {
      if (a.seq !== null && b.seq !== null) return a.seq - b.seq;
      if (a.seq !== null) return -1;
      if (b.seq !== null) return 1;
      return a.order - b.order;
    });
  }
}
