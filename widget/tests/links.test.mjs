import assert from "node:assert/strict";
import { test } from "node:test";

import { appendLinkedText, linkParts, safeHref } from "../src/links.js";
import { createDocument } from "./helpers.mjs";

const links = (text) => linkParts(text).filter((part) => part.type === "link");

test("markup in a message stays text: one text node, no element", () => {
  const document = createDocument();
  const body = document.createElement("div");
  const text = "<img src=x onerror=alert(1)>";
  appendLinkedText(document, body, text);
  assert.equal(body.childNodes.length, 1);
  assert.equal(body.childNodes[0].nodeType, 3);
  assert.equal(body.textContent, text);
});

test("http, https and mailto URLs become links with rel=noopener noreferrer", () => {
  const document = createDocument();
  const body = document.createElement("div");
  appendLinkedText(document, body, "see https://shop.example/a?b=1 or mail ada@example.com via mailto:ada@example.com");
  const anchors = body.querySelectorAll("a");
  assert.deepEqual(
    anchors.map((a) => a.getAttribute("href")),
    ["https://shop.example/a?b=1", "mailto:ada@example.com"],
  );
  for (const anchor of anchors) {
    assert.equal(anchor.getAttribute("rel"), "noopener noreferrer");
    assert.equal(anchor.getAttribute("target"), "_blank");
  }
  assert.equal(body.textContent, "see https://shop.example/a?b=1 or mail ada@example.com via mailto:ada@example.com");
});

test("other schemes never become links", () => {
  for (const text of [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "file:///etc/passwd",
    "ftp://files.example/x",
    "//evil.example/x",
    "www.example.com",
  ]) {
    assert.deepEqual(links(text), [], text);
  }
});

test("a URL hidden after javascript: does not make the javascript part a link", () => {
  const parts = linkParts("javascript:alert('https://x.example')");
  for (const part of parts.filter((p) => p.type === "link")) assert.match(part.href, /^https:/);
});

test("trailing punctuation and an unbalanced parenthesis stay outside the link", () => {
  assert.deepEqual(links("Go to https://a.example/x."), [{ type: "link", text: "https://a.example/x", href: "https://a.example/x" }]);
  assert.equal(links("(see https://a.example/path)")[0].text, "https://a.example/path");
  assert.equal(links("https://en.wikipedia.org/wiki/Foo_(bar)")[0].text, "https://en.wikipedia.org/wiki/Foo_(bar)");
  assert.equal(links("really? https://a.example!")[0].text, "https://a.example");
});

test("quotes and angle brackets end a link, so markup cannot ride inside an href", () => {
  const [link] = links('https://a.example/"onmouseover="alert(1)');
  assert.equal(link.text, "https://a.example/");
  const [second] = links("https://a.example/<script>");
  assert.equal(second.text, "https://a.example/");
});

test("incomplete URLs are text", () => {
  assert.deepEqual(links("http:// and https:/// and mailto: and mailto:nobody"), []);
});

test("safeHref accepts only http, https and mailto", () => {
  assert.equal(safeHref("https://a.example"), "https://a.example/");
  assert.equal(safeHref("mailto:a@b.example"), "mailto:a@b.example");
  assert.equal(safeHref("javascript:alert(1)"), "");
  assert.equal(safeHref("not a url"), "");
});

test("text around links is kept exactly, in order", () => {
  const parts = linkParts("a https://x.example b https://y.example c");
  assert.deepEqual(parts.map((p) => p.text), ["a ", "https://x.example", " b ", "https://y.example", " c"]);
});
