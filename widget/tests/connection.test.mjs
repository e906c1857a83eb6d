import assert from "node:assert/strict";
import { test } from "node:test";

import { Connection, FatalError } from "../src/connection.js";
import { createClock, createSocketFactory, settle } from "./helpers.mjs";

function setup({ tokens, random = () => 0.5, expiresIn = 600000 } = {}) {
  const clock = createClock();
  const factory = createSocketFactory();
  const reasons = [];
  const statuses = [];
  const frames = [];
  let issued = 0;
  const connection = new Connection({
    url: "ws://platform.example/ws/v1/",
    WebSocket: factory.FakeSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random,
    getToken: async (reason) => {
      reasons.push(reason);
      issued += 1;
      if (tokens) return tokens(reason, issued);
      return { token: `token-${issued}`, expiresAt: clock.now() + expiresIn };
    },
    onStatus: (status, reason) => statuses.push(reason ? `${status}:${reason}` : status),
    onFrame: (frame) => frames.push(frame),
  });
  const hello = (socket = factory.last()) =>
    socket.receive({ type: "hello", principal: { kind: "visitor", id: "v1" }, server_time: new Date(clock.now()).toISOString() });
  return { clock, factory, connection, reasons, statuses, frames, hello };
}

// Advance `ms`, answering the client's pings as a live server would.
async function keepAlive(clock, socket, ms) {
  for (let left = ms; left > 0; left -= 1000) {
    await clock.tick(Math.min(1000, left));
    const pings = socket.frames("ping").length;
    if (pings > (socket.pongs || 0)) {
      socket.pongs = pings;
      socket.receive({ type: "pong" });
    }
  }
}

test("the token goes in the subprotocol list, never in the URL", async () => {
  const { factory, connection } = setup();
  connection.start();
  await settle();
  const socket = factory.last();
  assert.equal(socket.url, "ws://platform.example/ws/v1/");
  assert.deepEqual(socket.protocols, ["parlor.v1", "parlor.token.token-1"]);
});

test("a dropped socket reconnects after a jittered, growing delay with the same token", async () => {
  const { clock, factory, connection, hello, reasons } = setup({ random: () => 0.999 });
  connection.start();
  await settle();
  hello();
  factory.last().drop(1006);
  assert.equal(connection.status, "waiting");
  assert.deepEqual(clock.pending().slice(-1), [499]);
  await clock.tick(498);
  assert.equal(factory.sockets.length, 1, "not before the delay");
  await clock.tick(1);
  assert.equal(factory.sockets.length, 2);
  factory.last().drop(1006);
  assert.ok(clock.pending().includes(999), "the ceiling doubles");
  await clock.tick(999);
  assert.equal(factory.sockets.length, 3);
  assert.deepEqual(reasons, ["initial"], "an unexpired token is reused");
  assert.deepEqual(factory.last().protocols, ["parlor.v1", "parlor.token.token-1"]);
});

test("a hello resets the backoff", async () => {
  const { clock, factory, connection, hello } = setup({ random: () => 0.999 });
  connection.start();
  await settle();
  for (let i = 0; i < 4; i += 1) {
    factory.last().drop(1006);
    await clock.tick(60000);
  }
  hello();
  factory.last().drop(1006);
  assert.deepEqual(clock.pending(), [499]);
});

test("4403 stops for good: no socket is opened again", async () => {
  const { clock, factory, connection, statuses } = setup();
  connection.start();
  await settle();
  factory.last().drop(4403);
  await clock.tick(3600000);
  assert.equal(factory.sockets.length, 1);
  assert.equal(statuses.at(-1), "fatal:origin");
});

test("4400 and 4413 stop: a broken client must not hammer the server", async () => {
  for (const code of [4400, 4413]) {
    const { clock, factory, connection } = setup();
    connection.start();
    await settle();
    factory.last().drop(code);
    await clock.tick(3600000);
    assert.equal(factory.sockets.length, 1);
    assert.equal(connection.status, "fatal");
  }
});

test("4401 fetches a new token once; a second 4401 in a row stops", async () => {
  const { clock, factory, connection, reasons, statuses } = setup();
  connection.start();
  await settle();
  factory.last().drop(4401);
  await clock.tick(500);
  assert.deepEqual(reasons, ["initial", "expired"]);
  assert.deepEqual(factory.last().protocols, ["parlor.v1", "parlor.token.token-2"]);
  factory.last().drop(4401);
  await clock.tick(3600000);
  assert.equal(factory.sockets.length, 2);
  assert.equal(statuses.at(-1), "fatal:token");
});

test("reconnecting early (nudge) after a 4401 still asks for a new token", async () => {
  const { factory, connection, reasons } = setup();
  connection.start();
  await settle();
  factory.last().drop(4401);
  connection.nudge();
  await settle();
  assert.deepEqual(reasons, ["initial", "expired"]);
  assert.deepEqual(factory.last().protocols, ["parlor.v1", "parlor.token.token-2"]);
});

test("4401 after a good session is a fresh start, not a second strike", async () => {
  const { clock, factory, connection, hello } = setup();
  connection.start();
  await settle();
  factory.last().drop(4401);
  await clock.tick(500);
  hello();
  factory.last().drop(4401);
  await clock.tick(500);
  assert.equal(factory.sockets.length, 3);
  assert.notEqual(connection.status, "fatal");
});

test("4429 waits at least ten seconds", async () => {
  const { clock, factory, connection } = setup({ random: () => 0 });
  connection.start();
  await settle();
  factory.last().drop(4429);
  await clock.tick(9999);
  assert.equal(factory.sockets.length, 1);
  await clock.tick(1);
  assert.equal(factory.sockets.length, 2);
});

test("4423 (the tenant's socket quota) waits at least ten seconds too", async () => {
  const { clock, factory, connection } = setup({ random: () => 0 });
  connection.start();
  await settle();
  factory.last().drop(4423);
  await clock.tick(9999);
  assert.equal(factory.sockets.length, 1);
  await clock.tick(1);
  assert.equal(factory.sockets.length, 2);
});

test("4451 (tenant suspended) stops with the neutral 'other' reason and never retries", async () => {
  const { clock, factory, connection, statuses } = setup({ random: () => 0 });
  connection.start();
  await settle();
  factory.last().drop(4451);
  await clock.tick(3600000);
  assert.equal(factory.sockets.length, 1);
  assert.equal(statuses.at(-1), "fatal:other");
});

test("a FatalError from the token source stops with its reason", async () => {
  const { clock, factory, connection, statuses } = setup({
    tokens: () => {
      throw new FatalError("key");
    },
  });
  connection.start();
  await clock.tick(3600000);
  assert.equal(factory.sockets.length, 0);
  assert.equal(statuses.at(-1), "fatal:key");
});

test("a failing token source (network) is retried with backoff", async () => {
  let calls = 0;
  const { clock, factory, connection } = setup({
    tokens: (reason, issued) => {
      calls += 1;
      if (calls < 3) throw new TypeError("Failed to fetch");
      return { token: `t${issued}`, expiresAt: 0 };
    },
  });
  connection.start();
  await settle();
  await clock.tick(60000);
  assert.equal(calls, 3);
  assert.equal(factory.sockets.length, 1);
});

test("the token is refreshed in place before it expires", async () => {
  const { clock, factory, connection, hello, reasons } = setup({ expiresIn: 600000 });
  connection.start();
  await settle();
  hello();
  const socket = factory.last();
  await keepAlive(clock, socket, 479000);
  assert.equal(socket.frames("auth.refresh").length, 0);
  await keepAlive(clock, socket, 1000);
  assert.deepEqual(reasons, ["initial", "refresh"]);
  const [refresh] = socket.frames("auth.refresh");
  assert.equal(refresh.token, "token-2");
  socket.receive({ type: "auth.ok", re: refresh.id, expires_at: new Date(clock.now() + 600000).toISOString() });
  assert.equal(connection.token, "token-2");
  await keepAlive(clock, socket, 480000);
  assert.equal(socket.frames("auth.refresh").length, 2, "and again before the new expiry");
  assert.equal(factory.sockets.length, 1, "without reconnecting");
});

test("a refused refresh reconnects with the new token", async () => {
  const { clock, factory, connection, hello } = setup();
  connection.start();
  await settle();
  hello();
  connection.useToken("other-user-token", 0);
  const [refresh] = factory.last().frames("auth.refresh");
  factory.last().receive({ type: "error", re: refresh.id, code: "token_invalid", detail: "x" });
  await clock.tick(60000);
  assert.equal(factory.sockets.length, 2);
  assert.deepEqual(factory.last().protocols, ["parlor.v1", "parlor.token.other-user-token"]);
});

test("a silent socket is declared dead after two ping intervals and replaced", async () => {
  const { clock, factory, connection, hello } = setup();
  connection.start();
  await settle();
  hello();
  const socket = factory.last();
  await clock.tick(25000);
  assert.equal(socket.frames("ping").length, 1);
  socket.receive({ type: "pong" });
  await clock.tick(25000);
  assert.equal(socket.frames("ping").length, 2);
  await clock.tick(25000);
  assert.equal(socket.closedWith, 4000);
  await clock.tick(60000);
  assert.equal(factory.sockets.length, 2);
});

test("stop closes the socket and nothing reconnects", async () => {
  const { clock, factory, connection, hello } = setup();
  connection.start();
  await settle();
  hello();
  connection.stop();
  assert.equal(factory.last().closedWith, 1000);
  factory.last().drop(1000);
  await clock.tick(3600000);
  assert.equal(factory.sockets.length, 1);
});

test("send works only while open", async () => {
  const { factory, connection, hello } = setup();
  assert.equal(connection.send({ type: "ping" }), false);
  connection.start();
  await settle();
  assert.equal(connection.send({ type: "ping" }), false, "not before hello");
  hello();
  assert.equal(connection.send({ type: "ping" }), true);
  assert.equal(factory.last().frames("ping").length, 1);
});
