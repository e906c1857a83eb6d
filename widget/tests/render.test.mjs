import assert from "node:assert/strict";
import { test } from "node:test";

import { createMessageElement, formatTime, senderName, updateMessageElement } from "../src/render.js";
import { createDocument } from "./helpers.mjs";

const item = (extra = {}) => ({
  key: "k1",
  id: "m1",
  seq: 1,
  body: "<img src=x onerror=alert(1)> see https://a.example",
  sender: { kind: "agent", id: "a1", name: "<b>Dana</b>" },
  sentAt: "2030-01-01T14:05:00Z",
  mine: false,
  state: "received",
  ...extra,
});

test("the body, sender and time are text; only the https URL is an element", () => {
  const document = createDocument();
  const element = createMessageElement(document, item(), "en");
  const [sender, body] = element.children;
  assert.equal(sender.textContent, "<b>Dana</b>");
  assert.equal(body.textContent, "<img src=x onerror=alert(1)> see https://a.example");
  assert.deepEqual(body.children.map((child) => child.tagName), ["A"]);
  assert.equal(element.getAttribute("data-seq"), "1");
});

test("one's own messages show their state in the chosen language", () => {
  const document = createDocument();
  const mine = item({ mine: true, state: "sending", seq: null });
  const element = createMessageElement(document, mine, "es");
  const state = () => element.children[2].children[1].textContent;
  assert.equal(element.children[0].textContent, "Tú");
  assert.equal(state(), "Enviando…");
  updateMessageElement(element, { ...mine, state: "read", seq: 4 }, "en");
  assert.equal(state(), "Read");
  assert.equal(element.getAttribute("data-state"), "read");
  assert.equal(element.getAttribute("data-seq"), "4");
});

test("an agent without a name is called Agent; times that are not dates are blank", () => {
  assert.equal(senderName({ mine: false, sender: { name: "  " } }, "es"), "Agente");
  assert.equal(formatTime("nope", "en"), "");
  assert.match(formatTime("2030-01-01T14:05:00Z", "en"), /\d{2}:\d{2}/);
});
