import assert from "node:assert/strict";
import { test } from "node:test";

import { Conversation } from "../src/conversation.js";

const ME = { kind: "visitor", id: "v1", name: "Me" };
const AGENT = { kind: "agent", id: "a1", name: "Dana" };
const frame = (seq, sender, clientMsgId = `${sender.id}-${seq}`) => ({
  room: "c-1",
  id: `m${seq}`,
  seq,
  sender,
  body: `b${seq}`,
  sent_at: "2030-01-01T00:00:00Z",
  client_msg_id: clientMsgId,
});

test("a pending message, its ack and its echo are one item: sending, then sent", () => {
  const conversation = new Conversation(ME);
  const item = conversation.addPending({ room: "c-1", client_msg_id: "k1", body: "hi", created_at: "2030-01-01T00:00:00Z" });
  assert.equal(item.state, "sending");
  conversation.applyAck({ client_msg_id: "k1", id: "m5", seq: 5, sent_at: "2030-01-01T00:00:01Z" });
  assert.equal(item.state, "sent");
  const { added } = conversation.applyMessage(frame(5, ME, "k1"));
  assert.equal(added, false);
  assert.equal(conversation.items.length, 1);
});

test("the same message delivered twice (live and resumed) is shown once", () => {
  const conversation = new Conversation(ME);
  assert.equal(conversation.applyMessage(frame(1, AGENT)).added, true);
  assert.equal(conversation.applyMessage(frame(1, AGENT)).added, false);
  assert.equal(conversation.items.length, 1);
});

test("messages are ordered by seq, pending ones last in typing order", () => {
  const conversation = new Conversation(ME);
  conversation.addPending({ room: "c-1", client_msg_id: "p1", body: "first typed", created_at: "" });
  conversation.applyMessage(frame(3, AGENT));
  conversation.applyMessage(frame(1, AGENT));
  conversation.addPending({ room: "c-1", client_msg_id: "p2", body: "second typed", created_at: "" });
  conversation.applyMessage(frame(2, AGENT));
  assert.deepEqual(conversation.items.map((i) => i.seq ?? i.key), [1, 2, 3, "p1", "p2"]);
  assert.equal(conversation.oldestSeq(), 1);
  assert.equal(conversation.newestSeq(), 3);
});

test("a read receipt marks one's own sent messages up to its seq as read", () => {
  const conversation = new Conversation(ME);
  conversation.applyMessage(frame(1, ME));
  conversation.applyMessage(frame(2, AGENT));
  conversation.applyMessage(frame(3, ME));
  const changed = conversation.applyRead(2);
  assert.deepEqual(changed.map((i) => i.seq), [1]);
  assert.equal(conversation.items[2].state, "sent");
  assert.equal(conversation.items[1].state, "received");
  assert.deepEqual(conversation.applyRead(1), [], "read receipts never go backwards");
});

test("an ack after the read receipt arrives is read at once", () => {
  const conversation = new Conversation(ME);
  conversation.applyRead(10);
  const item = conversation.addPending({ room: "c-1", client_msg_id: "k", body: "x", created_at: "" });
  conversation.applyAck({ client_msg_id: "k", id: "m9", seq: 9 });
  assert.equal(item.state, "read");
});

test("a failed message is marked, and others' messages are not mine", () => {
  const conversation = new Conversation(ME);
  conversation.addPending({ room: "c-1", client_msg_id: "k", body: "x", created_at: "" });
  assert.equal(conversation.markFailed("k").state, "failed");
  assert.equal(conversation.applyMessage(frame(1, { kind: "agent", id: "v1" })).item.mine, false, "same id, other kind");
});
