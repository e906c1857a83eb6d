import assert from "node:assert/strict";
import { test } from "node:test";

import { ChatClient } from "../src/client.js";
import { createStore } from "../src/storage.js";
import { createClock, createMemoryStorage, createSocketFactory, settle } from "./helpers.mjs";

const ME = { kind: "visitor", id: "v1", name: "Visitor" };
const AGENT = { kind: "agent", id: "a1", name: "Dana" };
const ROOM = "c-1";

function setup(backend = createMemoryStorage()) {
  const clock = createClock();
  const factory = createSocketFactory();
  const events = [];
  const client = new ChatClient({
    url: "ws://platform.example/ws/v1/",
    WebSocket: factory.FakeSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random: () => 0.5,
    getToken: async () => ({ token: "t", expiresAt: 0 }),
    store: createStore("pk_test", backend),
    onEvent: (type, payload) => events.push([type, payload]),
  });
  const server = {
    hello(socket = factory.last()) {
      socket.receive({ type: "hello", principal: ME, conversation: ROOM, server_time: new Date(clock.now()).toISOString() });
    },
    joined(messages, extra = {}, socket = factory.last()) {
      socket.receive({ type: "joined", room: ROOM, kind: "conversation", last_seq: messages.at(-1)?.seq ?? 0, read_seq: 0, messages, ...extra });
    },
  };
  return { clock, factory, client, events, server, backend };
}

const message = (seq, sender = AGENT, extra = {}) => ({
  type: "message",
  room: ROOM,
  id: `m${seq}`,
  seq,
  sender,
  body: `body ${seq}`,
  sent_at: "2030-01-01T00:00:00Z",
  client_msg_id: `${sender.id}-${seq}`,
  ...extra,
});

test("a joined room is joined again after a reconnect, from the last seq seen", async () => {
  const { clock, factory, client, server } = setup();
  client.join(ROOM);
  client.start();
  await settle();
  server.hello();
  assert.deepEqual(factory.last().frames("join").map((f) => f.since_seq), [undefined]);
  server.joined([message(1), message(2)]);
  factory.last().receive(message(3));
  factory.last().drop(1006);
  await clock.tick(60000);
  server.hello();
  const [rejoin] = factory.last().frames("join");
  assert.equal(rejoin.room, ROOM);
  assert.equal(rejoin.since_seq, 3);
});

test("a message typed offline is queued, persisted, and sent once after the join", async () => {
  const { factory, client, server, backend } = setup();
  client.join(ROOM);
  const entry = client.send(ROOM, "hello offline");
  assert.match(backend.getItem("parlor:pk_test:outbox"), /hello offline/);
  client.start();
  await settle();
  server.hello();
  assert.equal(factory.last().frames("send").length, 0, "not before the room is joined");
  server.joined([]);
  const sends = factory.last().frames("send");
  assert.equal(sends.length, 1);
  assert.equal(sends[0].client_msg_id, entry.client_msg_id);
  factory.last().receive({ type: "ack", room: ROOM, client_msg_id: entry.client_msg_id, id: "m1", seq: 1, sent_at: "x" });
  assert.deepEqual(JSON.parse(backend.getItem("parlor:pk_test:outbox")), []);
});

test("an unacknowledged message is sent again with the same client_msg_id after a drop", async () => {
  const { clock, factory, client, server } = setup();
  client.join(ROOM);
  client.start();
  await settle();
  server.hello();
  server.joined([]);
  const entry = client.send(ROOM, "in flight");
  factory.last().drop(1006);
  await clock.tick(60000);
  server.hello();
  server.joined([]);
  const [resent] = factory.last().frames("send");
  assert.equal(resent.client_msg_id, entry.client_msg_id);
  factory.last().receive({ type: "ack", room: ROOM, client_msg_id: entry.client_msg_id, id: "m1", seq: 1, sent_at: "x" });
  factory.last().drop(1006);
  await clock.tick(60000);
  server.hello();
  server.joined([]);
  assert.equal(factory.last().frames("send").length, 0, "acknowledged messages are not sent again");
});

test("a message the server stored before the drop is settled by its echo in the missed messages", async () => {
  const { clock, factory, client, server } = setup();
  client.join(ROOM);
  client.start();
  await settle();
  server.hello();
  server.joined([]);
  const entry = client.send(ROOM, "stored, ack lost");
  factory.last().drop(1006);
  await clock.tick(60000);
  server.hello();
  server.joined([message(1, ME, { client_msg_id: entry.client_msg_id })]);
  assert.equal(factory.last().frames("send").length, 0);
  assert.deepEqual(client.outbox.list(), []);
});

test("a reloaded page sends what the previous one left in the outbox", async () => {
  const backend = createMemoryStorage();
  const first = setup(backend);
  first.client.join(ROOM);
  const entry = first.client.send(ROOM, "typed before reload");
  const second = setup(backend);
  second.client.join(ROOM);
  second.client.start();
  await settle();
  second.server.hello();
  second.server.joined([]);
  assert.deepEqual(second.factory.last().frames("send").map((f) => f.client_msg_id), [entry.client_msg_id]);
});

test("a permanent send error removes the message and reports it; rate limiting retries", async () => {
  const { clock, factory, client, server, events } = setup();
  client.join(ROOM);
  client.start();
  await settle();
  server.hello();
  server.joined([]);
  const tooBig = client.send(ROOM, "x");
  const limited = client.send(ROOM, "y");
  factory.last().receive({ type: "error", re: `s:${tooBig.client_msg_id}`, code: "body_too_large", detail: "d" });
  factory.last().receive({ type: "error", re: `s:${limited.client_msg_id}`, code: "rate_limited", detail: "d" });
  assert.deepEqual(client.outbox.list().map((e) => e.client_msg_id), [limited.client_msg_id]);
  assert.ok(events.some(([type, payload]) => type === "failed" && payload.client_msg_id === tooBig.client_msg_id));
  const before = factory.last().frames("send").length;
  await clock.tick(3000);
  assert.equal(factory.last().frames("send").length, before + 1);
});

test("a gap in live seqs asks for the missing messages", async () => {
  const { factory, client, server } = setup();
  client.join(ROOM);
  client.start();
  await settle();
  server.hello();
  server.joined([message(1)]);
  factory.last().receive(message(4));
  const [history] = factory.last().frames("history");
  assert.equal(history.after, 1);
  assert.equal(client.lastSeq(ROOM), 4);
});

test("frames before a reconnect's join do not advance since_seq past unseen messages", async () => {
  const { clock, factory, client, server } = setup();
  client.join(ROOM);
  client.start();
  await settle();
  server.hello();
  server.joined([message(1), message(2)]);
  factory.last().receive({ type: "ack", room: ROOM, client_msg_id: "zzz", id: "m9", seq: 9, sent_at: "x" });
  factory.last().drop(1006);
  await clock.tick(60000);
  server.hello();
  assert.equal(factory.last().frames("join")[0].since_seq, 2, "an ack's seq does not count as seen");
});

test("a join answered internal (the database came back) is sent again", async () => {
  const { clock, factory, client, server } = setup();
  client.join(ROOM);
  client.start();
  await settle();
  server.hello();
  assert.equal(factory.last().frames("join").length, 1);
  factory.last().receive({ type: "error", re: `j:${ROOM}`, code: "internal", detail: "d" });
  await clock.tick(3000);
  assert.equal(factory.last().frames("join").length, 2);
  server.joined([]);
  factory.last().receive({ type: "error", re: "j:c-other", code: "internal", detail: "d" });
  await clock.tick(3000);
  assert.equal(factory.last().frames("join").length, 2);
});
