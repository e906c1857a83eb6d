import assert from "node:assert/strict";
import { test } from "node:test";

import { cannedExpand } from "../src/canned.js";
import { Conversation } from "../src/conversation.js";
import { titleCount } from "../src/notify.js";
import { eventAdd, eventItemCreate } from "../src/transcript_events.js";
import { createDocument } from "./helpers.mjs";

const RESPONSES = new Map([["thanks", "Thank you! <b>We</b> reply within a day."]]);

function textarea(value, caret = value.length) {
  return { value, selectionStart: caret, selectionEnd: caret };
}

test("/shortcut before the caret expands into the canned text, as text", () => {
  const box = textarea("Hi! /thanks");
  assert.equal(cannedExpand(box, RESPONSES), true);
  assert.equal(box.value, "Hi! Thank you! <b>We</b> reply within a day.");
  assert.equal(box.selectionStart, box.value.length);
});

test("an unknown shortcut, a path or a slash mid-word stays as typed", () => {
  for (const value of ["/unknown", "see a/thanks", "https://x.example/thanks"]) {
    const box = textarea(value);
    assert.equal(cannedExpand(box, RESPONSES), false, value);
    assert.equal(box.value, value);
  }
});

test("the tab title carries the unread count and drops it at zero", () => {
  const document = { title: "Conversations · Shop · Parlor" };
  titleCount(document, 3);
  assert.equal(document.title, "(3) Conversations · Shop · Parlor");
  titleCount(document, 5);
  assert.equal(document.title, "(5) Conversations · Shop · Parlor");
  titleCount(document, 0);
  assert.equal(document.title, "Conversations · Shop · Parlor");
});

test("a note is text, never markup, and sits after the newest message", () => {
  const document = createDocument();
  const conversation = new Conversation({ kind: "agent", id: "staff-1", name: "Dana" });
  conversation.applyMessage({ id: 1, seq: 4, room: "c-1", body: "hi", sender: { kind: "visitor", id: "v" }, sent_at: "2030-01-01T00:00:00Z" });
  const page = { conversation, renderedSeq: 4 };
  const event = { id: 9, kind: "note", actor: "Dana", text: "Note by Dana", detail: { body: "<img src=x onerror=alert(1)>" }, created_at: "2030-01-01T00:00:01Z" };
  const item = eventAdd(page, event);
  assert.ok(item.seq > 4 && item.seq < 5);
  assert.equal(eventAdd(page, event), null, "the same event once");
  conversation.applyMessage({ id: 2, seq: 5, room: "c-1", body: "later", sender: { kind: "visitor", id: "v" }, sent_at: "2030-01-01T00:00:02Z" });
  assert.deepEqual(conversation.items.map((entry) => entry.key), ["id:1", "e:9", "id:2"]);
  const element = eventItemCreate(document, item);
  assert.equal(element.className, "event note");
  assert.equal(element.children[1].textContent, "<img src=x onerror=alert(1)>");
  assert.equal(element.children[1].children.length, 0);
});
