/**
 * Visitor context: where the visitor is (page, referrer, language, time zone) and the name and
 * email the page gave with `Parlor.identify({name, email})`, reported once per identity to
 * `POST /api/v1/widget/context` with the widget's own token. The server reads the browser and
 * OS from the User-Agent header, bounds every field, and keeps the page's name and email as
 * unverified: only the tenant's signed token vouches for who someone is.
 */

export const CONTEXT_PATH = "/api/v1/widget/context";
const MAX_URL = 2048;
const MAX_TITLE = 200;
const MAX_NAME = 100;
const MAX_EMAIL = 254;

/**
 * Return what the page can tell about where the visitor is.
 * @param {Window} window
 * @param {Document} document
 */
export function contextCollect(window, document) {
  const context = {
    page_url: httpUrl(String(window.location?.href || "")),
    page_title: String(document.title || "").slice(0, MAX_TITLE),
    referrer: httpUrl(String(document.referrer || "")),
    locale: String(window.navigator?.language || "").slice(0, 35),
    timezone: "",
  };
  try {
    context.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    // An old browser without time zones: the server keeps the field empty.
  }
  return context;
}

/**
 * Return the page's `identify({name, email})` argument as the fields the server accepts.
 * @param {unknown} given
 * @returns {{name?: string, email?: string}}
 */
export function identityFrom(given) {
  const identity = {};
  const name = typeof given?.name === "string" ? given.name.trim().slice(0, MAX_NAME) : "";
  const email = typeof given?.email === "string" ? given.email.trim() : "";
  if (name) identity.name = name;
  if (email && email.length <= MAX_EMAIL) identity.email = email;
  return identity;
}

/**
 * Report the context (and identity) once per token owner; a failure is not retried. Once a
 * name is stored, `widget.onNamed(name)` is called (see widget_session.js: widgetRename).
 * @param {object} widget the running widget (see app.js)
 * @param {string} token the token the socket presents
 * @param {Function} [fetch]
 */
export function contextReport(widget, token, fetch = globalThis.fetch) {
  const { config, state, window, document } = widget;
  state.contextToken = token;
  if (state.contextReported || !token || typeof fetch !== "function") return;
  state.contextReported = true;
  const body = { ...contextCollect(window, document), ...state.identity };
  state.contextUrl = body.page_url;
  fetch(config.base + CONTEXT_PATH, {
    method: "POST",
    mode: "cors",
    credentials: "omit",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
    .then((response) => {
      // A stored name goes on the visitor's next messages: the widget takes a token bearing it.
      if (response?.ok && body.name) widget.onNamed?.(body.name);
    })
    .catch(() => {
      // Context is a courtesy to the agent: chatting never waits for it or fails with it.
    });
}

/**
 * Keep the page's identity and report it with the current token, if there is one yet.
 * @param {object} widget
 * @param {unknown} given the argument of `identify({name, email})`
 */
export function identityRemember(widget, given) {
  const { state } = widget;
  state.identity = identityFrom(given);
  state.contextReported = false;
  if (state.contextToken) contextReport(widget, state.contextToken);
}

/**
 * Report the context again if the page changed since the last report (a single-page app
 * navigates without reloading the widget): called when the visitor opens the chat or writes.
 * @param {object} widget
 */
export function contextRefresh(widget) {
  const { state, window } = widget;
  if (!state.contextReported || !state.contextToken) return;
  if (httpUrl(String(window.location?.href || "")) === state.contextUrl) return;
  state.contextReported = false;
  contextReport(widget, state.contextToken);
}

function httpUrl(value) {
  return /^https?:\/\//i.test(value) ? value.slice(0, MAX_URL) : "";
}
