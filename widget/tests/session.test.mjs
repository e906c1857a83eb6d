import assert from "node:assert/strict";
import { test } from "node:test";

import { FatalError } from "../src/connection.js";
import { RefusedError, sessionCreate, sessionError, websocketUrl } from "../src/session.js";

const answer = (status, body) => ({ ok: status < 300, status, json: async () => body });

test("a session answer gives token, visitor, conversation, ws_url and settings", async () => {
  const calls = [];
  const fetch = async (url, options) => {
    calls.push([url, options]);
    return answer(201, {
      token: "t",
      expires_at: "2030-01-01T00:00:00Z",
      visitor: "v.sig",
      conversation: "c-1",
      ws_url: "wss://p.example/ws/v1/",
      widget: { title: "Shop" },
    });
  };
  const session = await sessionCreate({ base: "https://p.example", key: "pk_1", visitor: "v.old", fetch });
  assert.equal(session.token, "t");
  assert.equal(session.wsUrl, "wss://p.example/ws/v1/");
  assert.deepEqual(session.widget, { title: "Shop" });
  const [url, options] = calls[0];
  assert.equal(url, "https://p.example/api/v1/widget/sessions");
  assert.equal(options.credentials, "omit", "no cookies travel");
  assert.deepEqual(JSON.parse(options.body), { key: "pk_1", visitor: "v.old" });
});

test("readable refusals stop: unknown key, forbidden origin", () => {
  assert.equal(sessionError(401, { code: "unauthenticated" }).reason, "key");
  assert.equal(sessionError(400, { code: "invalid_key" }).reason, "key");
  assert.equal(sessionError(403, { code: "origin_forbidden" }).reason, "origin");
  assert.ok(sessionError(403, { code: "origin_forbidden" }) instanceof FatalError);
});

test("a suspended tenant stops with the neutral 'other' reason", () => {
  const error = sessionError(403, { code: "tenant_suspended" });
  assert.ok(error instanceof FatalError);
  assert.equal(error.reason, "other");
});

test("server trouble is retryable", () => {
  for (const status of [429, 500, 502, 503]) assert.ok(!(sessionError(status, {}) instanceof FatalError), status);
});

test("a CORS-hidden answer from a platform that answers otherwise is a refusal", async () => {
  const fetch = async (url, options) => {
    if (options.mode === "no-cors") return { type: "opaque" };
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(sessionCreate({ base: "https://p.example", key: "pk", fetch }), RefusedError);
});

test("an unreachable platform is a network error, not a refusal", async () => {
  const fetch = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(sessionCreate({ base: "https://p.example", key: "pk", fetch }), (error) => !(error instanceof RefusedError));
});

test("the WebSocket URL follows the platform's scheme", () => {
  assert.equal(websocketUrl("https://p.example"), "wss://p.example/ws/v1/");
  assert.equal(websocketUrl("http://127.0.0.1:8000"), "ws://127.0.0.1:8000/ws/v1/");
});
