/**
 * The widget app bundle (/widget/app.<hash>.js), loaded by the loader on demand: wires the
 * session endpoint, the chat client and the panel, and answers the page's commands.
 */

import { ChatClient } from "./client.js";
import { FatalError } from "./connection.js";
import { Conversation } from "./conversation.js";
import { translate } from "./i18n.js";
import { setLauncherLabel } from "./launcher.js";
import { pickLocale } from "./locale.js";
import { MAX_BODY_BYTES, utf8Length } from "./protocol.js";
import { RefusedError, sessionCreate } from "./session.js";
import { tokenExpiry } from "./tokens.js";
import { createPanel } from "./view.js";

const FATAL_TEXT = {
  key: "fatalKey",
  origin: "fatalOrigin",
  refused: "fatalRefused",
  token: "fatalToken",
  other: "fatalOther",
};
const TYPING_IDLE = 4000;
const TYPING_SHOWN = 6000;
const HISTORY_PAGE = 30;
// Refusals in a row, hidden by CORS, before the widget stops: one could be a passing failure.
const REFUSALS_BEFORE_STOP = 2;

/**
 * Start the widget in the loader's shadow root; returns {command(name, args)}.
 * @param {{window: Window, document: Document, config: object, store: object,
 *   launcher: object, emit: Function}} host
 */
export function startWidget(host) {
  const { window, document, config, store, launcher, emit } = host;
  const state = {
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
    online: new Map(),
    client: null,
    timers: {},
  };
  const conversation = new Conversation();
  const view = createPanel(document, launcher, {
    onSend: send,
    onClose: close,
    onTyping: typing,
    onNearTop: loadOlder,
    onSeen: markSeen,
  });
  const locale = () =>
    pickLocale([
      state.localeOverride,
      config.locale,
      state.settings.locale,
      document.documentElement.lang,
      window.navigator.language,
    ]);
  const t = (key, values) => translate(locale(), key, values);

  async function getToken(reason) {
    if (!config.token) {
      const session = await fetchSession();
      if (!state.room && session.conversation) state.room = session.conversation;
      return { token: session.token, expiresAt: session.expiresAt };
    }
    if (!state.wsUrl) await fetchSession();
    // Only the page can mint a user's token: a rejected one is final until identify() again.
    if (reason === "expired" && config.token === state.givenToken) throw new FatalError("token");
    state.givenToken = config.token;
    return { token: config.token, expiresAt: tokenExpiry(config.token) };
  }

  async function fetchSession() {
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
    view.setSettings(state.settings);
    applyLocale();
    return session;
  }

  function connect() {
    state.client = new ChatClient({
      url: () => state.wsUrl,
      getToken,
      store,
      onEvent: (type, payload) => EVENT_HANDLERS[type]?.(payload),
    });
    for (const entry of state.client.outbox.list()) conversation.addPending(entry);
    view.render(conversation.items);
    state.client.start();
  }

  const EVENT_HANDLERS = {
    status({ status, reason }) {
      if (status === "open") {
        state.everOpen = true;
        view.setStatus(null);
      } else if (status === "fatal") view.setStatus(FATAL_TEXT[reason] || "fatalOther", true);
      else if (status === "waiting") view.setStatus(statusWhileDown());
      else if (status === "connecting" && !state.everOpen) view.setStatus("connecting");
    },
    hello(frame) {
      conversation.setSelf(frame.principal || null);
      const room = frame.conversation || state.room;
      if (!room) return;
      if (room !== state.room) {
        conversation.clear();
        view.clear();
      }
      state.room = room;
      store.set("room", room);
      if (!state.client.rooms.has(room)) state.client.join(room);
    },
    joined(frame) {
      if (frame.room !== state.room) return;
      const resumed = conversation.newestSeq() !== null;
      for (const message of frame.messages || []) {
        const { item, added } = conversation.applyMessage(message);
        const unseen = resumed || message.seq > (frame.read_seq || 0);
        if (added && !item.mine && unseen) incoming(item);
      }
      if (!resumed) state.hasMore = (conversation.oldestSeq() || 1) > 1;
      view.render(conversation.items);
      state.online = new Map();
      updatePresence(frame.online, []);
    },
    message(frame) {
      if (frame.room !== state.room) return;
      const { item, added } = conversation.applyMessage(frame);
      if (!item.mine && view.typingName) view.setTyping(null);
      view.render(conversation.items);
      if (added && !item.mine) incoming(item);
    },
    ack(frame) {
      if (conversation.applyAck(frame)) view.render(conversation.items);
    },
    failed(entry) {
      conversation.markFailed(entry.client_msg_id);
      view.render(conversation.items);
    },
    typing(frame) {
      if (frame.room !== state.room || conversation.isMine(frame.sender)) return;
      view.setTyping(frame.active ? frame.sender?.name || t("agent") : null);
      setTimer("typingShown", TYPING_SHOWN, () => view.setTyping(null));
    },
    read(frame) {
      if (frame.room !== state.room || conversation.isMine(frame.sender)) return;
      if (conversation.applyRead(frame.seq).length) view.render(conversation.items);
    },
    presence(frame) {
      if (frame.room === state.room) updatePresence(frame.joined, frame.left);
    },
    history(frame) {
      if (frame.room !== state.room) return;
      for (const message of frame.messages || []) conversation.applyMessage(message);
      const older = frame.re === `h:${frame.room}`;
      if (older) {
        state.hasMore = Boolean(frame.has_more);
        state.loadingOlder = false;
        view.setLoadingOlder(false);
      }
      view.render(conversation.items, { keepPosition: older });
    },
    error(frame) {
      if (frame.re === `h:${state.room}`) {
        state.loadingOlder = false;
        view.setLoadingOlder(false);
      }
    },
  };

  /** Apply who came online and who went (`joined` gives the snapshot, `presence` the deltas). */
  function updatePresence(joined, left) {
    const key = (member) => `${member.kind}:${member.id}`;
    for (const member of Array.isArray(joined) ? joined : []) {
      if (member) state.online.set(key(member), member);
    }
    for (const member of Array.isArray(left) ? left : []) {
      if (member) state.online.delete(key(member));
    }
    view.setPresence([...state.online.values()].some((member) => member.kind === "agent"));
  }

  function statusWhileDown() {
    if (window.navigator.onLine === false) return "offline";
    return state.everOpen ? "reconnecting" : "retrying";
  }

  function incoming(item) {
    emit("message", publicMessage(item));
    if (view.isShown() && document.visibilityState !== "hidden" && view.atBottom()) {
      markSeen();
      return;
    }
    state.unread += 1;
    relabelLauncher();
    emit("unread", { count: state.unread });
  }

  function markSeen() {
    if (!view.isShown() || !state.room) return;
    if (state.unread) {
      state.unread = 0;
      relabelLauncher();
      emit("unread", { count: 0 });
    }
    const newest = conversation.newestSeq();
    if (newest !== null && newest > state.lastReadSent && state.client.read(state.room, newest)) {
      state.lastReadSent = newest;
    }
  }

  function send(text) {
    if (utf8Length(text) > MAX_BODY_BYTES) {
      view.setStatus("tooLong");
      return false;
    }
    if (!state.room) return false;
    if (state.typingSent) stopTyping();
    const entry = state.client.send(state.room, text);
    conversation.addPending(entry);
    view.render(conversation.items);
    if (view.statusKey === "tooLong") view.setStatus(null);
    return true;
  }

  function typing() {
    if (!state.room) return;
    if (!state.typingSent && state.client.typing(state.room, true)) state.typingSent = true;
    setTimer("typingIdle", TYPING_IDLE, stopTyping);
  }

  function stopTyping() {
    clearTimer("typingIdle");
    if (state.typingSent && state.room) state.client.typing(state.room, false);
    state.typingSent = false;
  }

  function loadOlder() {
    const oldest = conversation.oldestSeq();
    if (!state.hasMore || state.loadingOlder || oldest === null || !state.room) return;
    if (!state.client.history(state.room, oldest, HISTORY_PAGE)) return;
    state.loadingOlder = true;
    view.setLoadingOlder(true);
  }

  function open() {
    if (view.isShown()) return;
    view.show();
    relabelLauncher();
    state.client.connection.nudge();
    markSeen();
    emit("open");
  }

  function close() {
    if (!view.isShown()) return;
    stopTyping();
    view.hide();
    relabelLauncher();
    emit("close");
  }

  function relabelLauncher() {
    const shown = view.isShown();
    launcher.button.setAttribute("aria-expanded", String(shown));
    const label = t(shown ? "closeChat" : "openChat");
    setLauncherLabel(launcher, label, state.unread, t("unread", { count: state.unread }));
  }

  function applyLocale() {
    if (view.locale !== locale()) view.setLocale(locale());
    relabelLauncher();
  }

  function restart() {
    state.client.stop();
    conversation.clear();
    view.clear();
    Object.assign(state, { room: store.get("room"), unread: 0, hasMore: false, lastReadSent: 0, everOpen: false });
    relabelLauncher();
    connect();
  }

  function setTimer(name, delay, fn) {
    clearTimer(name);
    state.timers[name] = window.setTimeout(fn, delay);
  }

  function clearTimer(name) {
    window.clearTimeout(state.timers[name]);
  }

  const COMMANDS = {
    open,
    close,
    toggle: () => (view.isShown() ? close() : open()),
    identify(token) {
      token = String(token || "");
      if (!token || token === config.token) return;
      const wasAnonymous = !config.token;
      config.token = token;
      if (wasAnonymous) restart();
      else state.client.connection.useToken(token, tokenExpiry(token));
    },
    reset() {
      config.token = "";
      store.clear();
      restart();
    },
    setLocale(value) {
      state.localeOverride = String(value || "");
      applyLocale();
    },
  };

  window.addEventListener("online", () => state.client.connection.nudge());
  document.addEventListener("visibilitychange", markSeen);
  applyLocale();
  connect();
  return {
    command(name, args) {
      COMMANDS[name]?.(...args);
    },
  };
}

/** Return what the page's `message` listeners receive about `item`. */
function publicMessage(item) {
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

const hook = globalThis[Symbol.for("parlor.app")];
if (typeof hook === "function") hook(startWidget);
