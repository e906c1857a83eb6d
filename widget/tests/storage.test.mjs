import assert from "node:assert/strict";
import { test } from "node:test";

import { createStore } from "../src/storage.js";
import { createMemoryStorage } from "./helpers.mjs";

test("every key is namespaced under parlor:<key>:", () => {
  const backend = createMemoryStorage({ "page-own": "1" });
  const store = createStore("pk_abc", backend);
  store.set("visitor", "v1");
  store.set("outbox", [{ a: 1 }]);
  assert.deepEqual(backend.keys().sort(), ["page-own", "parlor:pk_abc:outbox", "parlor:pk_abc:visitor"]);
  assert.equal(store.get("visitor"), "v1");
  assert.deepEqual(store.get("outbox"), [{ a: 1 }]);
});

test("clear removes only this namespace's keys", () => {
  const backend = createMemoryStorage({ "page-own": "1", "parlor:pk_other:visitor": '"x"' });
  const store = createStore("pk_abc", backend);
  store.set("visitor", "v1");
  store.clear();
  assert.deepEqual(backend.keys().sort(), ["page-own", "parlor:pk_other:visitor"]);
  assert.equal(store.get("visitor"), null);
});

test("blocked storage falls back to memory without throwing", () => {
  const blocked = {
    setItem() {
      throw new Error("SecurityError");
    },
  };
  const store = createStore("pk_abc", blocked);
  store.set("visitor", "v1");
  assert.equal(store.get("visitor"), "v1");
  store.clear();
  assert.equal(store.get("visitor"), null);
});

test("a corrupt value reads as the fallback", () => {
  const backend = createMemoryStorage({ "parlor:pk_abc:outbox": "{not json" });
  assert.deepEqual(createStore("pk_abc", backend).get("outbox", []), []);
});
