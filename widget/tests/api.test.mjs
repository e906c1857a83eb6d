import assert from "node:assert/strict";
import { test } from "node:test";

import { createApi, drainQueue } from "../src/api.js";
import { settle } from "./helpers.mjs";

test("calls queued on the stub run in order once the API exists", () => {
  const stub = function (...args) {
    (stub.q = stub.q || []).push(args);
  };
  stub("identify", "tok");
  stub("setLocale", "es");
  stub("open");
  const seen = [];
  const { api } = createApi((command, args) => seen.push([command, ...args]));
  drainQueue(stub, api);
  assert.deepEqual(seen, [["identify", "tok"], ["setLocale", "es"], ["open"]]);
});

test("methods and the function form reach the same commands", () => {
  const seen = [];
  const { api } = createApi((command, args) => seen.push([command, ...args]));
  api.open();
  api("toggle");
  api.identify("t");
  api.reset();
  api.close();
  assert.deepEqual(seen.map((entry) => entry[0]), ["open", "toggle", "identify", "reset", "close"]);
});

test("on registers listeners, off and the returned function remove them", () => {
  const { api, emit } = createApi(() => {});
  const got = [];
  const stop = api.on("unread", (payload) => got.push(payload.count));
  api("on", "message", (payload) => got.push(payload.body));
  emit("unread", { count: 2 });
  emit("message", { body: "hi" });
  stop();
  emit("unread", { count: 3 });
  assert.deepEqual(got, [2, "hi"]);
});

test("a throwing page listener does not stop the others", async () => {
  const { api, emit } = createApi(() => {});
  const got = [];
  const errors = [];
  const original = globalThis.setTimeout;
  globalThis.setTimeout = (fn) => {
    try {
      fn();
    } catch (error) {
      errors.push(error.message);
    }
  };
  try {
    api.on("open", () => {
      throw new Error("page bug");
    });
    api.on("open", () => got.push("second"));
    emit("open");
  } finally {
    globalThis.setTimeout = original;
  }
  assert.deepEqual(got, ["second"]);
  assert.deepEqual(errors, ["page bug"]);
});

test("unknown commands and events are refused with a warning, not run", () => {
  const seen = [];
  const warnings = [];
  const original = console.warn;
  console.warn = (message) => warnings.push(message);
  try {
    const { api } = createApi((command) => seen.push(command));
    api("explode");
    api.on("nope", () => {});
  } finally {
    console.warn = original;
  }
  assert.deepEqual(seen, []);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /unknown command "explode"/);
});

test("a ready listener added after ready still hears it", async () => {
  const { api, emit } = createApi(() => {});
  emit("ready");
  let heard = false;
  api.on("ready", () => {
    heard = true;
  });
  await settle();
  assert.ok(heard);
});
