import assert from "node:assert/strict";
import { test } from "node:test";

import { localToUtc } from "../src/snooze.js";

function inZone(zone, body) {
  const saved = process.env.TZ;
  process.env.TZ = zone;
  try {
    body();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

test("a local pick becomes the UTC instant of the browser's zone, summer time included", () => {
  inZone("Europe/Paris", () => {
    assert.equal(localToUtc("2026-01-15T09:00"), "2026-01-15T08:00:00.000Z");
    assert.equal(localToUtc("2026-07-15T09:00"), "2026-07-15T07:00:00.000Z");
  });
  inZone("America/New_York", () => {
    assert.equal(localToUtc("2026-01-15T09:00:30"), "2026-01-15T14:00:30.000Z");
  });
  inZone("Asia/Kolkata", () => {
    assert.equal(localToUtc("2026-01-15T09:00"), "2026-01-15T03:30:00.000Z");
  });
  inZone("UTC", () => {
    assert.equal(localToUtc("2026-01-15T09:00"), "2026-01-15T09:00:00.000Z");
  });
});

test("anything but a real local date and time converts to nothing", () => {
  inZone("Europe/Paris", () => {
    for (const value of ["", "tomorrow", "2026-02-31T09:00", "2026-01-15", "2026-01-15T09:00Z", null]) {
      assert.equal(localToUtc(value), "", String(value));
    }
  });
});
