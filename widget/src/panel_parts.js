/**
 * The panel's elements, built once: header (avatar, title, presence, close), status line,
 * scrolling log with greeting and "loading earlier" line, typing line and composer.
 */

import { PANEL_CSS } from "./styles.js";

/**
 * Return a new `tag` element with `className` and `attributes`.
 * @param {Document} document
 * @param {string} tag
 * @param {string} [className]
 * @param {Record<string, string>} [attributes]
 */
export function makeElement(document, tag, className, attributes = {}) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/**
 * Return every element of the panel, assembled but not yet attached to the page.
 * @param {Document} document
 */
export function buildPanelParts(document) {
  const style = makeElement(document, "style");
  style.textContent = PANEL_CSS;
  const panel = makeElement(document, "section", "panel", {
    role: "dialog",
    "aria-modal": "false",
    "aria-labelledby": "parlor-title",
  });
  panel.hidden = true;
  const parts = { style, panel, ...buildHeader(document) };
  parts.status = makeElement(document, "p", "status", { role: "status" });
  parts.status.hidden = true;
  Object.assign(parts, buildScroll(document), buildComposer(document));
  panel.append(parts.header, parts.status, parts.scroll, parts.typing, parts.form);
  return parts;
}

function buildHeader(document) {
  const avatar = makeElement(document, "img", "", { alt: "" });
  avatar.hidden = true;
  const title = makeElement(document, "h2", "", { id: "parlor-title" });
  const presence = makeElement(document, "p", "presence");
  const heading = makeElement(document, "div", "heading");
  heading.append(title, presence);
  const close = makeElement(document, "button", "close", { type: "button" });
  close.textContent = "×";
  const header = makeElement(document, "header");
  header.append(avatar, heading, close);
  return { avatar, title, presence, close, header };
}

function buildScroll(document) {
  const scroll = makeElement(document, "div", "scroll");
  const greeting = makeElement(document, "p", "greeting");
  greeting.hidden = true;
  const older = makeElement(document, "p", "older");
  older.hidden = true;
  const log = makeElement(document, "ol", "log", { role: "log", "aria-live": "polite", tabindex: "0" });
  scroll.append(greeting, older, log);
  return { scroll, greeting, older, log };
}

function buildComposer(document) {
  const typing = makeElement(document, "p", "typing", { "aria-live": "polite" });
  typing.hidden = true;
  const form = makeElement(document, "form");
  const textarea = makeElement(document, "textarea", "compose", { rows: "1" });
  const send = makeElement(document, "button", "send", { type: "submit" });
  // Files go over HTTP (attachments.js); the button opens the browser's own file picker.
  const attach = makeElement(document, "button", "attach", { type: "button" });
  attach.textContent = "+";
  const file = makeElement(document, "input", "file", { type: "file", tabindex: "-1", "aria-hidden": "true" });
  file.hidden = true;
  form.append(attach, file, textarea, send);
  return { typing, form, textarea, send, attach, file };
}
