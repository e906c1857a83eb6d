/**
 * What the panel says: every label in the current language, the tenant's look, agent
 * presence, connection status, the typing line. Text goes in through textContent only.
 */

import { availabilityText } from "./availability.js";
import { translate } from "./i18n.js";
import { applyLook } from "./launcher.js";
import { updateMessageElement } from "./render.js";

function panelText(view, key, values) {
  return translate(view.locale, key, values);
}

/**
 * Re-apply every word of the panel in the current language.
 * @param {object} view the panel (see view.js)
 */
export function panelRelabel(view) {
  const { close, log, textarea, send, title, older, attach } = view.parts;
  close.setAttribute("aria-label", panelText(view, "closeChat"));
  attach.setAttribute("aria-label", panelText(view, "attach"));
  attach.setAttribute("title", panelText(view, "attach"));
  log.setAttribute("aria-label", panelText(view, "messages"));
  textarea.setAttribute("placeholder", panelText(view, "placeholder"));
  textarea.setAttribute("aria-label", panelText(view, "composerLabel"));
  send.textContent = panelText(view, "send");
  title.textContent = view.title || panelText(view, "title");
  older.textContent = panelText(view, "loadingOlder");
  panelSetPresence(view, view.presenceOnline);
  panelSetStatus(view, view.statusKey, view.fatal);
  panelSetTyping(view, view.typingName);
  for (const item of view.items) updateMessageElement(view.elements.get(item.key), item, view.locale);
}

/** Use `locale` for every label and time. */
export function panelSetLocale(view, locale) {
  view.locale = locale;
  view.parts.panel.setAttribute("lang", locale);
  panelRelabel(view);
}

/** Apply the tenant's look: title, greeting, avatar, colour and side. */
export function panelSetSettings(view, settings) {
  const { title, greeting, avatar } = view.parts;
  view.title = typeof settings.title === "string" ? settings.title : "";
  title.textContent = view.title || panelText(view, "title");
  greeting.textContent = typeof settings.greeting === "string" ? settings.greeting : "";
  greeting.hidden = !greeting.textContent;
  const avatarUrl = safeImageUrl(settings.avatar_url);
  avatar.hidden = !avatarUrl;
  if (avatarUrl) avatar.setAttribute("src", avatarUrl);
  applyLook(view.launcher, settings);
}

/** Show whether an agent is online (true), away (false) or unknown (null). */
export function panelSetPresence(view, online) {
  view.presenceOnline = online;
  const status = view.availability;
  let text = online === null || online === undefined ? "" : panelText(view, online ? "online" : "away");
  // No agent available: the server's status says why (away, closed until when). Its "online"
  // was true when the session began; the live `availability` frame has since said otherwise.
  if (!online && status) {
    text = availabilityText(view.locale, status.state === "online" ? { ...status, state: "away" } : status);
  }
  view.parts.presence.textContent = text;
}

/** Use the server's availability `status` (docs/offline.md) when no agent is in the room. */
export function panelSetAvailability(view, status) {
  view.availability = status && typeof status.state === "string" ? status : null;
  panelSetPresence(view, view.presenceOnline);
}

/** Show the connection's state in words (`key` of i18n.js), or nothing for null. */
export function panelSetStatus(view, key, fatal = false) {
  const { status, textarea, send } = view.parts;
  view.statusKey = key;
  view.fatal = fatal;
  status.textContent = key ? panelText(view, key) : "";
  status.hidden = !key;
  status.classList.toggle("fatal", fatal);
  textarea.disabled = fatal;
  send.disabled = fatal;
  view.parts.attach.disabled = fatal;
}

/** Show "<name> is typing…", or hide the indicator for null. */
export function panelSetTyping(view, name) {
  const { typing } = view.parts;
  view.typingName = name;
  typing.textContent = name ? panelText(view, "typing", { name }) : "";
  typing.hidden = !name;
}

/** Show or hide the "loading earlier messages" line. */
export function panelSetLoadingOlder(view, loading) {
  view.parts.older.hidden = !loading;
}

/**
 * Return `url` if it is an absolute http(s) URL, else "" (no javascript:, data: or relative).
 * @param {unknown} url
 */
export function safeImageUrl(url) {
  if (typeof url !== "string") return "";
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : "";
  } catch {
    return "";
  }
}
