/**
 * One chat message as DOM: sender, text (as text nodes and safe links, never HTML), time,
 * and for one's own messages their state.
 */

import { appendLinkedText } from "./links.js";
import { translate } from "./i18n.js";

const STATE_KEYS = { sending: "sending", sent: "sent", read: "read", failed: "failed" };

/**
 * Return `iso` as a short local time ("14:05") in `locale`, or "" when it is not a date.
 * @param {string} iso
 * @param {string} locale
 */
export function formatTime(iso, locale) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(date);
}

/**
 * Return the name to show for `item`'s sender.
 * @param {{mine: boolean, sender?: {name?: string}}} item
 * @param {string} locale
 */
export function senderName(item, locale) {
  if (item.mine) return translate(locale, "you");
  const name = item.sender && typeof item.sender.name === "string" ? item.sender.name.trim() : "";
  return name || translate(locale, "agent");
}

/**
 * Create the list item for message `item` (see conversation.js) in `locale`.
 * @param {Document} document
 * @param {object} item
 * @param {string} locale
 * @returns {HTMLLIElement}
 */
export function createMessageElement(document, item, locale) {
  const element = document.createElement("li");
  element.className = item.mine ? "message mine" : "message theirs";
  element.setAttribute("data-key", item.key);
  const sender = document.createElement("span");
  sender.className = "sender";
  const body = document.createElement("div");
  body.className = "body";
  appendLinkedText(document, body, item.body);
  const meta = document.createElement("span");
  meta.className = "meta";
  const time = document.createElement("time");
  const state = document.createElement("span");
  state.className = "state";
  meta.append(time, state);
  element.append(sender, body, meta);
  updateMessageElement(element, item, locale);
  return element;
}

/**
 * Refresh what can change on a message element: seq, time, state, and the labels' language.
 * @param {HTMLElement} element
 * @param {object} item
 * @param {string} locale
 */
export function updateMessageElement(element, item, locale) {
  const [sender, , meta] = element.children;
  const [time, state] = meta.children;
  sender.textContent = senderName(item, locale);
  if (item.seq !== null && item.seq !== undefined) element.setAttribute("data-seq", String(item.seq));
  element.setAttribute("data-state", item.state);
  time.setAttribute("datetime", item.sentAt || "");
  time.textContent = formatTime(item.sentAt, locale);
  state.textContent = STATE_KEYS[item.state] ? translate(locale, STATE_KEYS[item.state]) : "";
}
