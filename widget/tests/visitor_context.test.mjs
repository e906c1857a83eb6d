import assert from "node:assert/strict";
import { test } from "node:test";

import {
  CONTEXT_PATH,
  contextCollect,
  contextRefresh,
  contextReport,
  identityFrom,
  identityRemember,
} from "../src/visitor_context.js";
import { tokenExpiry, tokenName } from "../src/tokens.js";

const page = (href = "https://shop.example/cart", referrer = "https://search.example/") => ({
  window: { location: { href }, navigator: { language: "en-GB" } },
  document: { title: "Cart", referrer },
});

function fakeWidget(calls, options = {}) {
  const { window, document } = page(options.href, options.referrer);
  return {
    window,
    document,
    config: { base: "https://p.example" },
    state: { identity: {}, contextReported: false, contextToken: "" },
    fetch: async (url, request) => {
      calls.push([url, request]);
      if (options.fail) throw new TypeError("network");
      return { ok: true };
    },
  };
}

test("context has the page, title, referrer, language and time zone", () => {
  const { window, document } = page();
  const context = contextCollect(window, document);
  assert.equal(context.page_url, "https://shop.example/cart");
  assert.equal(context.page_title, "Cart");
  assert.equal(context.referrer, "https://search.example/");
  assert.equal(context.locale, "en-GB");
  assert.equal(typeof context.timezone, "string");
});

test("only http(s) URLs are reported", () => {
  const { window, document } = page("file:///home/me/page.html", "javascript:alert(1)");
  const context = contextCollect(window, document);
  assert.equal(context.page_url, "");
  assert.equal(context.referrer, "");
});

test("identify({name, email}) keeps trimmed strings only", () => {
  assert.deepEqual(identityFrom({ name: "  Ana ", email: "ana@example.com" }), { name: "Ana", email: "ana@example.com" });
  assert.deepEqual(identityFrom({ name: 5, email: { x: 1 }, attributes: { plan: "x" } }), {});
  assert.equal(identityFrom({ name: "n".repeat(500) }).name.length, 100);
});

test("the context goes once per identity with the widget's token, and identify sends it again", async () => {
  const calls = [];
  const widget = fakeWidget(calls);
  contextReport(widget, "tok1", widget.fetch);
  contextReport(widget, "tok2", widget.fetch);
  assert.equal(calls.length, 1, "a refreshed token does not report again");
  const [url, request] = calls[0];
  assert.equal(url, "https://p.example" + CONTEXT_PATH);
  assert.equal(request.headers.Authorization, "Bearer tok1");
  assert.equal(request.credentials, "omit");
  assert.equal(JSON.parse(request.body).name, undefined);
  const original = globalThis.fetch;
  globalThis.fetch = widget.fetch;
  try {
    identityRemember(widget, { name: "Ana", email: "ana@example.com", attributes: { plan: "forged" } });
  } finally {
    globalThis.fetch = original;
  }
  assert.equal(calls.length, 2);
  const body = JSON.parse(calls[1][1].body);
  assert.equal(calls[1][1].headers.Authorization, "Bearer tok2");
  assert.equal(body.name, "Ana");
  assert.equal(body.attributes, undefined, "attributes never come from the page");
});

test("a failed report never throws into the widget", async () => {
  const calls = [];
  const widget = fakeWidget(calls, { fail: true });
  contextReport(widget, "tok", widget.fetch);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(calls.length, 1);
});

test("a page that changed without a reload (single-page app) is reported again, once", () => {
  const calls = [];
  const widget = fakeWidget(calls);
  const original = globalThis.fetch;
  globalThis.fetch = widget.fetch;
  try {
    contextReport(widget, "tok");
    contextRefresh(widget);
    assert.equal(calls.length, 1, "the same page is not reported twice");
    widget.window.location.href = "https://shop.example/checkout";
    contextRefresh(widget);
    contextRefresh(widget);
  } finally {
    globalThis.fetch = original;
  }
  assert.equal(calls.length, 2);
  assert.equal(JSON.parse(calls[1][1].body).page_url, "https://shop.example/checkout");
});

test("a stored name is handed to widget.onNamed; a report without one, or refused, is not", async () => {
  const named = [];
  for (const [identity, ok] of [[{ name: "Ana" }, true], [{}, true], [{ name: "Bo" }, false]]) {
    const widget = fakeWidget([]);
    widget.state.identity = identity;
    widget.onNamed = (name) => named.push(name);
    const fetch = async () => ({ ok });
    contextReport(widget, "tok", fetch);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.deepEqual(named, ["Ana"]);
});

test("a token's name claim is read as UTF-8 text, and a broken token has none", () => {
  const encode = (claims) => Buffer.from(JSON.stringify(claims)).toString("base64url");
  const token = `x.${encode({ name: "José 🦦", exp: 2 })}.sig`;
  assert.equal(tokenName(token), "José 🦦");
  assert.equal(tokenExpiry(token), 2000);
  for (const broken of ["", "x.!!!.y", `x.${encode({ name: 5 })}.y`, null]) {
    assert.equal(tokenName(broken), "");
  }
});
