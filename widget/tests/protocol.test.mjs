import assert from "node:assert/strict";
import { test } from "node:test";

import { backoffDelay } from "../src/backoff.js";
import { joinFrame, newClientMessageId, parseFrame, subprotocols, utf8Length } from "../src/protocol.js";

test("the token travels as the second subprotocol", () => {
  assert.deepEqual(subprotocols("a.b.c"), ["parlor.v1", "parlor.token.a.b.c"]);
});

test("only typed JSON objects are frames", () => {
  assert.equal(parseFrame("[1]"), null);
  assert.equal(parseFrame("null"), null);
  assert.equal(parseFrame("{bad"), null);
  assert.equal(parseFrame('{"no":"type"}'), null);
  assert.deepEqual(parseFrame('{"type":"pong"}'), { type: "pong" });
});

test("join resumes with since_seq only when a seq is known", () => {
  assert.deepEqual(joinFrame("c-1"), { type: "join", room: "c-1" });
  assert.deepEqual(joinFrame("c-1", 0), { type: "join", room: "c-1", since_seq: 0 });
  assert.deepEqual(joinFrame("c-1", 7), { type: "join", room: "c-1", since_seq: 7 });
});

test("client message ids are unique and at most 64 characters", () => {
  const ids = new Set(Array.from({ length: 100 }, newClientMessageId));
  assert.equal(ids.size, 100);
  for (const id of ids) assert.ok(id.length <= 64);
});

test("body size is counted in UTF-8 bytes", () => {
  assert.equal(utf8Length("ñ"), 2);
  assert.equal(utf8Length("😀"), 4);
});

test("backoff is full jitter under an exponential ceiling with a cap", () => {
  assert.equal(backoffDelay(0, { random: () => 0 }), 0);
  assert.equal(backoffDelay(0, { random: () => 0.999999 }), 499);
  assert.equal(backoffDelay(3, { random: () => 0.5 }), 2000);
  assert.equal(backoffDelay(40, { random: () => 0.999999 }), 29999);
  const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
  assert.ok(seen.size > 10, "delays are spread, not synchronised");
  for (const delay of seen) assert.ok(delay >= 0 && delay < 16000);
});
