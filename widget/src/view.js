/**
 * The chat panel: header with title, avatar and agent presence, connection status in
 * words, the message log (aria-live), older history on scroll-up, typing indicator and
 * composer (Enter sends, Shift+Enter starts a new line). Text goes in through textContent.
 */

import { translate } from "./i18n.js";
import { applyLook } from "./launcher.js";
import { createMessageElement, updateMessageElement } from "./render.js";
import { PANEL_CSS } from "./styles.js";

const NEAR_TOP = 40;
const NEAR_BOTTOM = 60;

/**
 * Build the panel inside `launcher.root`. Callbacks: onSend(text), onClose(), onTyping(),
 * onNearTop(), onSeen().
 * @param {Document} document
 * @param {{root: ShadowRoot, wrapper: HTMLElement}} launcher
 * @param {object} callbacks
 */
export function createPanel(document, launcher, callbacks) {
  const make = (tag, className, attributes = {}) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    return element;
  };
  const style = make("style");
  style.textContent = PANEL_CSS;
  const panel = make("section", "panel", { role: "dialog", "aria-modal": "false", "aria-labelledby": "parlor-title" });
  panel.hidden = true;
  const avatar = make("img", "", { alt: "" });
  avatar.hidden = true;
  const title = make("h2", "", { id: "parlor-title" });
  const presence = make("p", "presence");
  const heading = make("div", "heading");
  heading.append(title, presence);
  const close = make("button", "close", { type: "button" });
  close.textContent = "×";
  const header = make("header");
  header.append(avatar, heading, close);
  const status = make("p", "status", { role: "status" });
  status.hidden = true;
  const scroll = make("div", "scroll");
  const greeting = make("p", "greeting");
  greeting.hidden = true;
  const older = make("p", "older");
  older.hidden = true;
  const log = make("ol", "log", { role: "log", "aria-live": "polite", tabindex: "0" });
  scroll.append(greeting, older, log);
  const typing = make("p", "typing", { "aria-live": "polite" });
  typing.hidden = true;
  const form = make("form");
  const textarea = make("textarea", "", { rows: "1" });
  const send = make("button", "send", { type: "submit" });
  form.append(textarea, send);
  panel.append(header, status, scroll, typing, form);
  launcher.root.insertBefore(style, launcher.root.firstChild);
  launcher.wrapper.appendChild(panel);

  const elements = new Map();
  const view = {
    locale: "en",
    statusKey: null,
    fatal: false,
    presenceOnline: null,
    typingName: null,
    items: [],
    panel,
    textarea,
    log,
  };

  function submit(event) {
    if (event) event.preventDefault();
    const text = textarea.value;
    if (!text.trim() || view.fatal) return;
    if (callbacks.onSend(text) !== false) textarea.value = "";
  }
  form.addEventListener("submit", submit);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  });
  textarea.addEventListener("input", () => callbacks.onTyping());
  close.addEventListener("click", () => callbacks.onClose());
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") callbacks.onClose();
  });
  scroll.addEventListener("scroll", () => {
    if (scroll.scrollTop < NEAR_TOP) callbacks.onNearTop();
    if (isNearBottom()) callbacks.onSeen();
  });

  function isNearBottom() {
    return scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < NEAR_BOTTOM;
  }

  const t = (key, values) => translate(view.locale, key, values);

  /** Re-apply every word of the panel in the current language. */
  view.relabel = () => {
    close.setAttribute("aria-label", t("closeChat"));
    log.setAttribute("aria-label", t("messages"));
    textarea.setAttribute("placeholder", t("placeholder"));
    textarea.setAttribute("aria-label", t("composerLabel"));
    send.textContent = t("send");
    title.textContent = view.title || t("title");
    older.textContent = t("loadingOlder");
    view.setPresence(view.presenceOnline);
    view.setStatus(view.statusKey, view.fatal);
    view.setTyping(view.typingName);
    for (const item of view.items) updateMessageElement(elements.get(item.key), item, view.locale);
  };

  /** Use `locale` for every label and time. */
  view.setLocale = (locale) => {
    view.locale = locale;
    panel.setAttribute("lang", locale);
    view.relabel();
  };

  /** Apply the tenant's look: title, greeting, avatar, colour and side. */
  view.setSettings = (settings) => {
    view.title = typeof settings.title === "string" ? settings.title : "";
    title.textContent = view.title || t("title");
    greeting.textContent = typeof settings.greeting === "string" ? settings.greeting : "";
    greeting.hidden = !greeting.textContent;
    const avatarUrl = safeImageUrl(settings.avatar_url);
    avatar.hidden = !avatarUrl;
    if (avatarUrl) avatar.setAttribute("src", avatarUrl);
    applyLook(launcher, settings);
  };

  /** Show whether an agent is online (true), away (false) or unknown (null). */
  view.setPresence = (online) => {
    view.presenceOnline = online;
    presence.textContent = online === null ? "" : t(online ? "online" : "away");
  };

  /** Show the connection's state in words (`key` of i18n.js), or nothing for null. */
  view.setStatus = (key, fatal = false) => {
    view.statusKey = key;
    view.fatal = fatal;
    status.textContent = key ? t(key) : "";
    status.hidden = !key;
    status.classList.toggle("fatal", fatal);
    textarea.disabled = fatal;
    send.disabled = fatal;
  };

  /** Show "<name> is typing…", or hide the indicator for null. */
  view.setTyping = (name) => {
    view.typingName = name;
    typing.textContent = name ? t("typing", { name }) : "";
    typing.hidden = !name;
  };

  /** Show or hide the "loading earlier messages" line. */
  view.setLoadingOlder = (loading) => {
    older.hidden = !loading;
  };

  /** Make the log show `items` (in order), creating, updating and moving elements as needed. */
  view.render = (items, { keepPosition = false } = {}) => {
    const stick = isNearBottom();
    const fromBottom = scroll.scrollHeight - scroll.scrollTop;
    view.items = items;
    let previous = null;
    for (const item of items) {
      let element = elements.get(item.key);
      if (element) updateMessageElement(element, item, view.locale);
      else {
        element = createMessageElement(document, item, view.locale);
        elements.set(item.key, element);
      }
      const expected = previous ? previous.nextSibling : log.firstChild;
      if (element !== expected) log.insertBefore(element, expected);
      previous = element;
    }
    if (keepPosition) scroll.scrollTop = scroll.scrollHeight - fromBottom;
    else if (stick) scroll.scrollTop = scroll.scrollHeight;
  };

  /** Remove every message. */
  view.clear = () => {
    elements.clear();
    view.items = [];
    log.textContent = "";
  };

  /** Return whether the panel is shown. */
  view.isShown = () => !panel.hidden;

  /** Show the panel and move focus to the composer. */
  view.show = () => {
    panel.hidden = false;
    launcher.wrapper.classList.add("open");
    scroll.scrollTop = scroll.scrollHeight;
    textarea.focus({ preventScroll: true });
  };

  /** Hide the panel; focus returns to the launcher if it was inside the panel. */
  view.hide = () => {
    const hadFocus = panel.contains(launcher.root.activeElement);
    panel.hidden = true;
    launcher.wrapper.classList.remove("open");
    if (hadFocus) launcher.button.focus({ preventScroll: true });
  };

  /** Return whether the newest messages are scrolled into view. */
  view.atBottom = isNearBottom;

  view.relabel();
  return view;
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
