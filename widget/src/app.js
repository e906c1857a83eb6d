/**
 * The widget app bundle (/widget/app.<hash>.js), loaded by the loader on demand: wires the
 * session endpoint, the chat client and the panel, and answers the page's commands.
 * The running widget is one plain record; the modules it is made of take it as first argument.
 */

import { applyLocale, markSeen } from "./attention.js";
import { commandRun, widgetClose } from "./commands.js";
import { attachmentShow } from "./attachments.js";
import { fileSend, messageSend, olderLoad } from "./compose.js";
import { Conversation } from "./conversation.js";
import { typingStart } from "./typing.js";
import { createPanel } from "./view.js";
import { widgetConnect } from "./widget_session.js";

/**
 * Start the widget in the loader's shadow root; returns {command(name, args)}.
 * @param {{window: Window, document: Document, config: object, store: object,
 *   launcher: object, emit: Function}} host
 */
export function startWidget(host) {
  const widget = { ...host, state: initialState(host.store), conversation: new Conversation() };
  widget.view = createPanel(host.document, host.launcher, {
    onSend: (text) => messageSend(widget, text),
    onFile: (file) => fileSend(widget, file),
    onClose: () => widgetClose(widget),
    onTyping: () => typingStart(widget),
    onNearTop: () => olderLoad(widget),
    onSeen: () => markSeen(widget),
  });
  widget.view.decorate = (item, element) =>
    attachmentShow({ document: host.document, element, item, base: host.config.base, token: widget.state.client?.connection.token });
  host.window.addEventListener("online", () => widget.state.client.connection.nudge());
  host.document.addEventListener("visibilitychange", () => markSeen(widget));
  applyLocale(widget);
  widgetConnect(widget);
  return {
    command(name, args) {
      commandRun(widget, name, args);
    },
  };
}

function initialState(store) {
  return {
    settings: {},
    localeOverride: "",
    wsUrl: "",
    room: store.get("room"),
    unread: 0,
    hasMore: false,
    loadingOlder: false,
    typingSent: false,
    lastReadSent: 0,
    everOpen: false,
    refusals: 0,
    givenToken: "",
    identity: {},
    contextReported: false,
    contextToken: "",
    contextUrl: "",
    online: new Map(),
    agentsAvailable: false,
    client: null,
    timers: {},
  };
}

const hook = globalThis[Symbol.for("parlor.app")];
if (typeof hook === "function") hook(startWidget);
