import assert from "node:assert/strict";
import { test } from "node:test";

import {
  UploadError,
  attachmentElement,
  attachmentIdOf,
  attachmentShow,
  attachmentUpload,
  formatSize,
} from "../src/attachments.js";
import { createDocument } from "./helpers.mjs";

const ID = "att_abcdefghijklmnopqrstuv";
const meta = (extra = {}) => ({
  id: ID,
  message: 7,
  name: "<img src=x onerror=alert(1)>.pdf",
  size: 48213,
  type: "application/pdf",
  inline: false,
  url: "/api/v1/attachments/files/.eJx:sig",
  ...extra,
});

function fakeFetch(answers) {
  const calls = [];
  const fetchImpl = async (url, init = {}) => {
    calls.push({ url, init });
    const [status, body] = answers.shift();
    return { ok: status < 400, status, json: async () => body };
  };
  return { calls, fetchImpl };
}

test("a file is a download link whose name is text", () => {
  const link = attachmentElement(createDocument(), meta(), "https://parlor.example");
  assert.equal(link.tagName, "A");
  assert.equal(link.textContent, "<img src=x onerror=alert(1)>.pdf (47.1 KB)");
  assert.equal(link.children.length, 0);
  assert.equal(link.href, "https://parlor.example/api/v1/attachments/files/.eJx:sig");
  assert.equal(link.getAttribute("download"), meta().name);
  assert.equal(link.rel, "noopener noreferrer");
});

test("an inline image is a thumbnail with its name as alt text", () => {
  const link = attachmentElement(createDocument(), meta({ inline: true, type: "image/png" }), "");
  const [image] = link.children;
  assert.equal(image.tagName, "IMG");
  assert.equal(image.alt, meta().name);
  assert.equal(image.src, "/api/v1/attachments/files/.eJx:sig");
});

test("a URL that is not Parlor's download path is never linked", () => {
  for (const url of ["javascript:alert(1)", "https://evil.example/x", "/api/v1/rooms", 5]) {
    assert.equal(attachmentElement(createDocument(), meta({ url }), ""), null);
  }
});

test("sizes read as people say them", () => {
  assert.equal(formatSize(812), "812 B");
  assert.equal(formatSize(10 * 1024 * 1024), "10.0 MB");
});

test("only attachment ids are attachment keys", () => {
  assert.equal(attachmentIdOf({ key: ID }), ID);
  assert.equal(attachmentIdOf({ key: "att_../../x" }), null);
  assert.equal(attachmentIdOf({ key: "id:4" }), null);
});

test("an upload asks for a grant, then PUTs the bytes to the grant's URL", async () => {
  const { calls, fetchImpl } = fakeFetch([
    [201, { upload_url: "/api/v1/attachments/uploads/G" }],
    [201, meta()],
  ]);
  const file = { name: "a.pdf", size: 3 };
  const stored = await attachmentUpload({ base: "https://p.example", token: "T", room: "c-1", file, fetchImpl });
  assert.equal(stored.id, ID);
  assert.equal(calls[0].url, "https://p.example/api/v1/attachments/grants");
  assert.equal(calls[0].init.headers.Authorization, "Bearer T");
  assert.deepEqual(JSON.parse(calls[0].init.body), { room: "c-1", name: "a.pdf", size: 3 });
  assert.equal(calls[1].url, "https://p.example/api/v1/attachments/uploads/G");
  assert.equal(calls[1].init.method, "PUT");
  assert.equal(calls[1].init.body, file);
  assert.equal(calls[1].init.credentials, "omit");
});

test("a refused upload reports the problem's code", async () => {
  const { fetchImpl } = fakeFetch([[413, { code: "file_too_large" }]]);
  await assert.rejects(
    attachmentUpload({ base: "", token: "T", room: "c-1", file: { name: "a", size: 1 }, fetchImpl }),
    (error) => error instanceof UploadError && error.code === "file_too_large",
  );
});

function messageElement(document) {
  const element = document.createElement("li");
  element.dataset = {};
  const body = document.createElement("div");
  body.replaceChildren = (...nodes) => {
    body.childNodes = [];
    body.append(...nodes);
  };
  element.append(body);
  element.querySelector = () => body;
  return { element, body };
}

test("a message shows its attachment in place of its text, once", async () => {
  const document = createDocument();
  const { element, body } = messageElement(document);
  const { calls, fetchImpl } = fakeFetch([[200, meta()]]);
  const item = { key: ID, id: 7 };
  await attachmentShow({ document, element, item, base: "", token: "T", fetchImpl });
  await attachmentShow({ document, element, item, base: "", token: "T", fetchImpl });
  assert.equal(calls.length, 1);
  assert.equal(element.dataset.attachment, "shown");
  assert.equal(body.children[0].tagName, "A");
});

test("a message that copied another's attachment id shows no file", async () => {
  const document = createDocument();
  const { element, body } = messageElement(document);
  body.append("📎 a.pdf");
  const { fetchImpl } = fakeFetch([[200, meta({ message: 99 })]]);
  await attachmentShow({ document, element, item: { key: ID, id: 7 }, base: "", token: "T", fetchImpl });
  assert.equal(element.dataset.attachment, "failed");
  assert.equal(body.textContent, "📎 a.pdf");
});
