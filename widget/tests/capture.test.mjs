import assert from "node:assert/strict";
import { test } from "node:test";

import { captureWanted } from "../src/capture.js";

function widget({ status = { state: "away" }, followup = { ask_email: true }, token = "", asked = false, agents = [] } = {}) {
  const online = new Map(agents.map((id) => [`agent:${id}`, { kind: "agent", id }]));
  return {
    state: { status, followup, online },
    store: { get: (name) => (name === "contactAsked" ? asked : null) },
    config: { token },
    view: { parts: {} },
  };
}

test("nobody available: ask an anonymous visitor for an email, skippable", () => {
  assert.deepEqual(captureWanted(widget()), { fields: ["email"], prompt: "captureEmail", required: false });
  assert.equal(captureWanted(widget({ status: { state: "closed" } })).prompt, "captureEmail");
});

test("never twice, never a signed-in user, not with an agent here or online", () => {
  assert.equal(captureWanted(widget({ asked: true })), null);
  assert.equal(captureWanted(widget({ token: "ey..." })), null);
  assert.equal(captureWanted(widget({ agents: ["a1"] })), null);
  assert.equal(captureWanted(widget({ status: { state: "online" } })), null);
  assert.equal(captureWanted(widget({ followup: { ask_email: false } })), null);
});

test("the pre-chat form, and the offline form when closed", () => {
  const prechat = widget({ followup: { ask_email: true, prechat_fields: ["name", "question"] } });
  assert.deepEqual(captureWanted(prechat).fields, ["name", "question"]);
  const closed = widget({ status: { state: "closed", offline_form: true } });
  assert.deepEqual(captureWanted(closed), {
    fields: ["name", "email", "question"],
    prompt: "captureOffline",
    required: true,
  });
});
