import assert from "node:assert/strict";
import { test } from "node:test";

import { ChatClient } from "../src/client.js";
import { FatalError } from "../src/connection.js";
import { Conversation } from "../src/conversation.js";
import { staffTokenFetch } from "../src/staff_token.js";
import { createStore } from "../src/storage.js";
import { transcriptItemCreate, utcTime } from "../src/transcript_render.js";
import { createClock, createDocument, createMemoryStorage, createSocketFactory, settle } from "./helpers.mjs";

const AGENT = { kind: "agent", id: "staff-7", name: "Dana" };

const answering = (status, body = {}) => async (url, options) => {
  answering.calls.push({ url, options });
  return { status, ok: status >= 200 && status < 300, json: async () => body };
};
answering.calls = [];

test("the agent token comes from the dashboard with the page's CSRF token", async () => {
  const fetch = answering(200, { token: "jwt", expires_at: "2030-01-01T00:15:00Z" });
  const issued = await staffTokenFetch("/dashboard/agent-token", "csrf-1", fetch);
  assert.deepEqual(issued, { token: "jwt", expiresAt: "2030-01-01T00:15:00Z" });
  const { url, options } = answering.calls.at(-1);
  assert.equal(url, "/dashboard/agent-token");
  assert.equal(options.method, "POST");
  assert.equal(options.headers["X-CSRFToken"], "csrf-1");
});

test("a session that ended stops the client; a server error is retried", async () => {
  for (const status of [401, 403]) {
    await assert.rejects(staffTokenFetch("/t", "c", answering(status)), (error) => error instanceof FatalError && error.reason === "session");
  }
  await assert.rejects(staffTokenFetch("/t", "c", answering(502)), (error) => !(error instanceof FatalError));
});

test("the transcript joins after the messages the server rendered", async () => {
  const clock = createClock();
  const factory = createSocketFactory();
  const client = new ChatClient({
    url: "ws://acme.localhost/ws/v1/",
    WebSocket: factory.FakeSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    getToken: async () => ({ token: "t", expiresAt: 0 }),
    store: createStore("dashboard:acme:7", createMemoryStorage()),
  });
  client.join("c-1", 12);
  client.start();
  await settle();
  factory.last().receive({ type: "hello", principal: AGENT, server_time: new Date(clock.now()).toISOString() });
  assert.deepEqual(factory.last().frames("join").map((frame) => frame.since_seq), [12]);
});

test("a transcript item is text, with safe links, and shows a reply's state", () => {
  const document = createDocument();
  const conversation = new Conversation(AGENT);
  const item = conversation.addPending({ client_msg_id: "r1", room: "c-1", body: "<b>see</b> https://example.com", created_at: "2030-01-01T10:00:00Z" });
  const element = transcriptItemCreate(document, item);
  assert.equal(element.className, "message agent mine");
  assert.equal(element.getAttribute("data-state"), "sending");
  const [meta, body] = element.children;
  assert.equal(body.textContent, "<b>see</b> https://example.com");
  assert.equal(body.querySelectorAll("a").length, 1);
  assert.equal(meta.children[0].textContent, "Dana");
  assert.equal(meta.children[2].textContent, "2030-01-01 10:00:00 UTC");
  assert.equal(meta.children[3].textContent, "Sending…");
});

test("times are shown in UTC as the server renders them", () => {
  assert.equal(utcTime("2030-01-01T10:00:00.123456+02:00"), "2030-01-01 08:00:00 UTC");
  assert.equal(utcTime("not a date"), "");
});
