/**
 * What the visitor is told outside the log: the unread count (badge, launcher label, page
 * events), read receipts for what they have seen, and the language of every word.
 */

import { translate } from "./i18n.js";
import { setLauncherLabel } from "./launcher.js";
import { pickLocale } from "./locale.js";
import { panelSetLocale } from "./panel_labels.js";
import { panelAtBottom } from "./panel_log.js";
import { panelIsShown } from "./view.js";

/**
 * Return the language to speak: setLocale(), data-locale, the tenant's, the page's, the browser's.
 * @param {object} widget the running widget (see app.js)
 */
export function widgetLocale(widget) {
  const { state, config, document, window } = widget;
  return pickLocale([
    state.localeOverride,
    config.locale,
    state.settings.locale,
    document.documentElement.lang,
    window.navigator.language,
  ]);
}

/** Return the words of `key` in the widget's language. */
export function widgetText(widget, key, values) {
  return translate(widgetLocale(widget), key, values);
}

/** Tell the page about a message from someone else; count it unread unless it is seen now. */
export function messageIncoming(widget, item) {
  const { view, state, document, emit } = widget;
  emit("message", publicMessage(item));
  if (panelIsShown(view) && document.visibilityState !== "hidden" && panelAtBottom(view)) {
    markSeen(widget);
    return;
  }
  state.unread += 1;
  relabelLauncher(widget);
  emit("unread", { count: state.unread });
}

/** With the panel shown: clear the unread count and tell the room what was read. */
export function markSeen(widget) {
  const { view, state, conversation, emit } = widget;
  if (!panelIsShown(view) || !state.room) return;
  if (state.unread) {
    state.unread = 0;
    relabelLauncher(widget);
    emit("unread", { count: 0 });
  }
  const newest = conversation.newestSeq();
  if (newest !== null && newest > state.lastReadSent && state.client.read(state.room, newest)) {
    state.lastReadSent = newest;
  }
}

/** Label the launcher for what a click does and how many messages are unread. */
export function relabelLauncher(widget) {
  const { launcher, state } = widget;
  const shown = panelIsShown(widget.view);
  launcher.button.setAttribute("aria-expanded", String(shown));
  const label = widgetText(widget, shown ? "closeChat" : "openChat");
  setLauncherLabel(launcher, label, state.unread, widgetText(widget, "unread", { count: state.unread }));
}

/** Speak the current language everywhere. */
export function applyLocale(widget) {
  const locale = widgetLocale(widget);
  if (widget.view.locale !== locale) panelSetLocale(widget.view, locale);
  relabelLauncher(widget);
}

/** Return what the page's `message` listeners receive about `item`. */
export function publicMessage(item) {
  return {
    id: item.id,
    seq: item.seq,
    room: item.room,
    body: item.body,
    sentAt: item.sentAt,
    sender: { kind: item.sender?.kind || "", name: item.sender?.name || "" },
    mine: item.mine,
  };
}
