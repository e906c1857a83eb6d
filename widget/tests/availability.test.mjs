import assert from "node:assert/strict";
import { test } from "node:test";

import { availabilityText, openingTime } from "../src/availability.js";

const closed = { state: "closed", next_open: "2026-12-07T08:00:00Z", timezone: "Europe/Berlin" };

test("closed shows the next opening in the tenant's timezone, not the visitor's", () => {
  assert.equal(availabilityText("en", closed), "We're closed. Back Monday 09:00.");
  const newYork = { ...closed, timezone: "America/New_York" };
  assert.equal(availabilityText("en", newYork), "We're closed. Back Monday 03:00.");
  assert.match(availabilityText("es", closed), /^Estamos cerrados\. Volvemos el lunes,? 09:00\.$/);
});

test("closed without a next opening, away with and without a reply time, online", () => {
  assert.equal(availabilityText("en", { state: "closed", next_open: null }), "We're closed: leave a message and we'll reply.");
  assert.equal(availabilityText("en", { state: "away", reply_time: "a few hours" }), "We're away: we typically reply in a few hours.");
  assert.equal(availabilityText("en", { state: "away", reply_time: "" }), "We're away: leave a message and we'll reply soon.");
  assert.equal(availabilityText("en", { state: "online" }), "We're online");
});

test("a bad instant or an unknown timezone never throws", () => {
  assert.equal(openingTime("en", { next_open: "soon" }), "");
  assert.equal(openingTime("en", { ...closed, timezone: "Mars/Olympus" }), "Monday 08:00 UTC");
});
