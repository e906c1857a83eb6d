/**
 * The widget's identity on the platform: a visitor session (or the page's user token), the
 * token the socket presents, and the chat client that carries it.
 */

import { applyLocale, relabelLauncher } from "./attention.js";
import { ChatClient } from "./client.js";
import { FatalError } from "./connection.js";
import { widgetEvent } from "./events.js";
import { panelSetAvailability, panelSetSettings } from "./panel_labels.js";
import { panelClear, panelRender } from "./panel_log.js";
import { RefusedError, sessionCreate } from "./session.js";
import { tokenExpiry, tokenName } from "./tokens.js";
import { contextReport } from "./visitor_context.js";

// Refusals in a row, hidden by CORS, before the widget stops: one could be a passing failure.
const REFUSALS_BEFORE_STOP = 2;

/**
 * Return the token for the next socket: a visitor session's, or the page's user token.
 * @param {object} widget the running widget (see app.js)
 * @param {string} reason "initial", "expired" or "refresh" (see Connection)
 */
export async function widgetToken(widget, reason) {
  const { config, state } = widget;
  if (!config.token) {
    const session = await widgetSessionFetch(widget);
    if (!state.room && session.conversation) state.room = session.conversation;
    contextReport(widget, session.token);
    return { token: session.token, expiresAt: session.expiresAt };
  }
  if (!state.wsUrl) await widgetSessionFetch(widget);
  // Only the page can mint a user's token: a rejected one is final until identify() again.
  if (reason === "expired" && config.token === state.givenToken) throw new FatalError("token");
  state.givenToken = config.token;
  contextReport(widget, config.token);
  return { token: config.token, expiresAt: tokenExpiry(config.token) };
}

async function widgetSessionFetch(widget) {
  const { config, state, store } = widget;
  let session;
  try {
    session = await sessionCreate({ base: config.base, key: config.key, visitor: store.get("visitor") });
  } catch (error) {
    state.refusals = error instanceof RefusedError ? state.refusals + 1 : 0;
    if (state.refusals >= REFUSALS_BEFORE_STOP) throw new FatalError("refused");
    if (!(error instanceof FatalError) && /visitor/.test(error.message)) store.remove("visitor");
    throw error;
  }
  state.refusals = 0;
  if (session.visitor && !config.token) store.set("visitor", session.visitor);
  state.wsUrl = session.wsUrl;
  state.settings = session.widget || {};
  // The loader draws the launcher before any session: it uses the look seen last time.
  store.set("look", { color: state.settings.color, position: state.settings.position });
  panelSetSettings(widget.view, state.settings);
  // Business hours and email capture (docs/offline.md).
  Object.assign(state, { status: session.status, followup: session.followup });
  panelSetAvailability(widget.view, session.status);
  applyLocale(widget);
  return session;
}

/**
 * After the page named the visitor (`identify`), take a session token bearing that name, so
 * the visitor's next messages carry it; an open socket swaps it in place (`auth.refresh`).
 * @param {object} widget the running widget (see app.js)
 * @param {string} name the name the platform stored
 */
export async function widgetRename(widget, name) {
  const { config, state } = widget;
  // A user's token is the page's own: its signed name is final.
  if (config.token || !state.client) return;
  const { connection } = state.client;
  if (tokenName(connection.token) === name) return;
  try {
    const issued = await widgetToken(widget, "refresh");
    connection.useToken(issued.token, Date.parse(issued.expiresAt) || 0);
  } catch {
    // The next scheduled refresh brings a token with the name instead.
  }
}

/** Start a chat client; messages still in the outbox show as sending at once. */
export function widgetConnect(widget) {
  const { state, store, conversation, view } = widget;
  widget.onNamed = (name) => widgetRename(widget, name);
  state.client = new ChatClient({
    url: () => state.wsUrl,
    getToken: (reason) => widgetToken(widget, reason),
    store,
    onEvent: (type, payload) => widgetEvent(widget, type, payload),
  });
  for (const entry of state.client.outbox.list()) conversation.addPending(entry);
  panelRender(view, conversation.items);
  state.client.start();
}

/** Drop the client and the shown conversation, and start again (new identity or reset). */
export function widgetRestart(widget) {
  const { state, store, conversation, view } = widget;
  state.client.stop();
  conversation.clear();
  panelClear(view);
  Object.assign(state, { room: store.get("room"), unread: 0, hasMore: false, lastReadSent: 0, everOpen: false });
  // A new identity (or a reset) is a new visitor: report the context again for it.
  Object.assign(state, { contextReported: false, contextToken: "" });
  relabelLauncher(widget);
  widgetConnect(widget);
}
