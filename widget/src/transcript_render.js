/**
 * One message of the dashboard's transcript as DOM, in the same shape as the server renders
 * it (sender, kind, UTC time, body), plus the state of the agent's own replies. Text only:
 * links through links.js, never HTML.
 */

import { translate } from "./i18n.js";
import { appendLinkedText } from "./links.js";

const REPLY_STATES = { sending: "sending", read: "read", failed: "failed" };

/**
 * Create the list item for `item` (see conversation.js).
 * @param {Document} document
 * @param {object} item
 */
export function transcriptItemCreate(document, item) {
  const element = document.createElement("li");
  element.setAttribute("data-key", item.key);
  const meta = document.createElement("div");
  meta.className = "meta";
  for (const className of ["sender", "kind"]) {
    const span = document.createElement("span");
    span.className = className;
    meta.append(span, " ");
  }
  const time = document.createElement("time");
  const state = document.createElement("span");
  state.className = "state";
  meta.append(time, " ", state);
  const body = document.createElement("div");
  body.className = "body";
  appendLinkedText(document, body, item.body);
  element.append(meta, body);
  transcriptItemUpdate(element, item);
  return element;
}

/**
 * Refresh what can change on a transcript item: sender, seq, time and reply state.
 * @param {HTMLElement} element
 * @param {object} item
 */
export function transcriptItemUpdate(element, item) {
  const kind = item.sender?.kind || (item.mine ? "agent" : "visitor");
  element.className = `message ${kind}${item.mine ? " mine" : ""}`;
  const [meta] = element.children;
  const [sender, kindLabel, time, state] = meta.children;
  sender.textContent = item.sender?.name || item.sender?.id || translate("en", "you");
  kindLabel.textContent = kind;
  if (item.seq !== null && item.seq !== undefined) element.setAttribute("data-seq", String(item.seq));
  element.setAttribute("data-state", item.state);
  time.setAttribute("datetime", item.sentAt || "");
  time.textContent = utcTime(item.sentAt);
  state.textContent = REPLY_STATES[item.state] ? translate("en", REPLY_STATES[item.state]) : "";
}

/**
 * Return `iso` as "YYYY-MM-DD HH:MM:SS UTC" (as the server renders times), or "".
 * @param {string} iso
 */
export function utcTime(iso) {
  const date = new Date(iso || "");
  if (Number.isNaN(date.getTime())) return "";
  return `${date.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}
