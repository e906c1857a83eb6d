import assert from "node:assert/strict";
import { test } from "node:test";

import { messageKeys, translate } from "../src/i18n.js";
import { launcherWord, pickLocale } from "../src/locale.js";

test("English and Spanish define the same words", () => {
  assert.deepEqual(messageKeys("es").sort(), messageKeys("en").sort());
  assert.ok(messageKeys("en").length > 20);
});

test("the first supported language wins; regional variants count", () => {
  assert.equal(pickLocale(["", null, "es-MX", "en"]), "es");
  assert.equal(pickLocale(["fr", "de-DE"]), "en");
  assert.equal(pickLocale(["EN_gb"]), "en");
});

test("placeholders are filled and unknown ones kept", () => {
  assert.equal(translate("es", "typing", { name: "Ana" }), "Ana está escribiendo…");
  assert.equal(translate("en", "unread", { count: 3 }), "3 unread");
  assert.equal(translate("en", "typing"), "{name} is typing…");
});

test("unknown locales and keys fall back to English, then to the key", () => {
  assert.equal(translate("xx", "send"), "Send");
  assert.equal(translate("es", "no-such-key"), "no-such-key");
  assert.equal(launcherWord("es", "openChat"), "Abrir chat");
  assert.equal(launcherWord("xx", "openChat"), "Open chat");
});

test("a name containing $& or {placeholders} is inserted literally", () => {
  assert.equal(translate("en", "typing", { name: "$& {count}" }), "$& {count} is typing…");
});
