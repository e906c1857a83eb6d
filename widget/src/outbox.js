/**
 * Messages typed but not yet acknowledged, persisted so that a reload or a dropped socket
 * neither loses them nor sends them twice (the server dedupes by client_msg_id).
 */

const OUTBOX_KEY = "outbox";

/**
 * Return an outbox kept in `store` (see storage.js).
 * @param {{get: Function, set: Function}} store
 */
export function createOutbox(store) {
  let entries = store.get(OUTBOX_KEY, []);
  if (!Array.isArray(entries)) entries = [];
  const save = () => store.set(OUTBOX_KEY, entries);
  return {
    /** Remember a message to send; returns the entry. */
    add(entry) {
      entries = [...entries.filter((item) => item.client_msg_id !== entry.client_msg_id), entry];
      save();
      return entry;
    },
    /** Forget the message `clientMsgId` (acknowledged, or failed for good). */
    remove(clientMsgId) {
      const before = entries.length;
      entries = entries.filter((item) => item.client_msg_id !== clientMsgId);
      if (entries.length !== before) save();
    },
    /** Return whether `clientMsgId` still waits for its ack. */
    has(clientMsgId) {
      return entries.some((item) => item.client_msg_id === clientMsgId);
    },
    /** Return the waiting messages, oldest first, of `room` (or of every room). */
    list(room) {
      return entries.filter((item) => room === undefined || item.room === room);
    },
    /** Forget everything. */
    clear() {
      entries = [];
      save();
    },
  };
}
