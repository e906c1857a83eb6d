/** The page's commands to a running widget (Parlor.open(), identify(), reset(), ...). */

import { applyLocale, markSeen, relabelLauncher } from "./attention.js";
import { tokenExpiry } from "./tokens.js";
import { typingStop } from "./typing.js";
import { contextRefresh, identityRemember } from "./visitor_context.js";
import { panelHide, panelIsShown, panelShow } from "./view.js";
import { widgetRestart } from "./widget_session.js";

/**
 * Run the page's command `name` with `args`; unknown commands are ignored.
 * @param {object} widget the running widget (see app.js)
 * @param {string} name
 * @param {unknown[]} args
 */
export function commandRun(widget, name, args) {
  WIDGET_COMMANDS[name]?.(widget, ...args);
}

/** Show the panel, reconnect now if waiting, and count everything as read. */
export function widgetOpen(widget) {
  const { view, state, emit } = widget;
  if (panelIsShown(view)) return;
  panelShow(view);
  relabelLauncher(widget);
  state.client.connection.nudge();
  markSeen(widget);
  contextRefresh(widget);
  emit("open");
}

/** Hide the panel. */
export function widgetClose(widget) {
  const { view, emit } = widget;
  if (!panelIsShown(view)) return;
  typingStop(widget);
  panelHide(view);
  relabelLauncher(widget);
  emit("close");
}

function widgetIdentify(widget, token) {
  const { config, state } = widget;
  // identify({name, email}): the page's word about an anonymous visitor (unverified).
  if (token && typeof token === "object") return identityRemember(widget, token);
  token = String(token || "");
  if (!token || token === config.token) return;
  const wasAnonymous = !config.token;
  config.token = token;
  if (wasAnonymous) widgetRestart(widget);
  else state.client.connection.useToken(token, tokenExpiry(token));
}

const WIDGET_COMMANDS = {
  open: widgetOpen,
  close: widgetClose,
  toggle: (widget) => (panelIsShown(widget.view) ? widgetClose(widget) : widgetOpen(widget)),
  identify: widgetIdentify,
  reset(widget) {
    widget.config.token = "";
    // Log-out: the next person on this page is not who the page said the last one was.
    widget.state.identity = {};
    widget.store.clear();
    widgetRestart(widget);
  },
  setLocale(widget, value) {
    widget.state.localeOverride = String(value || "");
    applyLocale(widget);
  },
};
