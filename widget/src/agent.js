/**
 * The demo agent page (/demo/agent/, served by the platform): lists the tenant's
 * conversations as they get messages (`inbox` frames), joins them, and lets an agent answer.
 * It reuses the widget's client, protocol, model and rendering modules.
 */

import { ChatClient } from "./client.js";
import { FatalError } from "./connection.js";
import { Conversation } from "./conversation.js";
import { translate } from "./i18n.js";
import { createMessageElement, updateMessageElement } from "./render.js";
import { browserStorage, createStore } from "./storage.js";

/**
 * Start the agent console in `document`, configured by the JSON in #parlor-agent-config.
 * @param {Document} document
 */
export function startAgentConsole(document) {
  const config = JSON.parse(document.getElementById("parlor-agent-config").textContent);
  const find = (id) => document.getElementById(id);
  const ui = {
    status: find("agent-status"),
    list: find("agent-conversations"),
    title: find("agent-room"),
    log: find("agent-log"),
    form: find("agent-form"),
    input: find("agent-input"),
    join: find("agent-join"),
    joinRoom: find("agent-join-room"),
  };
  const rooms = new Map();
  const elements = new Map();
  let self = null;
  let selected = null;

  const client = new ChatClient({
    url: config.ws_url,
    store: createStore(`agent:${config.tenant}`, browserStorage()),
    getToken: async (reason) => {
      if (reason === "expired") throw new FatalError("token");
      return { token: config.token, expiresAt: config.expires_at };
    },
    onEvent: (type, frame) => HANDLERS[type]?.(frame),
  });

  function room(id) {
    if (!rooms.has(id)) {
      const conversation = new Conversation(self);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "conversation";
      button.setAttribute("data-room", id);
      button.addEventListener("click", () => select(id));
      ui.list.appendChild(button);
      rooms.set(id, { conversation, button, unread: 0, preview: "" });
      client.join(id);
      relabel(id);
    }
    return rooms.get(id);
  }

  function relabel(id) {
    const entry = rooms.get(id);
    const unread = entry.unread ? ` (${entry.unread})` : "";
    entry.button.textContent = `${id}${unread}${entry.preview ? `: ${entry.preview}` : ""}`;
    entry.button.classList.toggle("selected", id === selected);
  }

  function select(id) {
    selected = id;
    const entry = room(id);
    entry.unread = 0;
    for (const other of rooms.keys()) relabel(other);
    ui.title.textContent = id;
    ui.log.textContent = "";
    elements.clear();
    render(id);
    ui.input.focus();
  }

  function render(id) {
    const entry = rooms.get(id);
    if (id !== selected) return;
    let previous = null;
    for (const item of entry.conversation.items) {
      let element = elements.get(item.key);
      if (element) updateMessageElement(element, item, "en");
      else {
        element = createMessageElement(document, item, "en");
        elements.set(item.key, element);
      }
      const expected = previous ? previous.nextSibling : ui.log.firstChild;
      if (element !== expected) ui.log.insertBefore(element, expected);
      previous = element;
    }
    ui.log.scrollTop = ui.log.scrollHeight;
    const newest = entry.conversation.newestSeq();
    if (newest !== null) client.read(id, newest);
  }

  function note(id, message) {
    const entry = room(id);
    entry.preview = String(message.body || "").slice(0, 40);
    if (id !== selected) entry.unread += 1;
    relabel(id);
  }

  const HANDLERS = {
    status({ status, reason }) {
      const words = { open: "Connected.", waiting: "Connection lost. Reconnecting…", connecting: "Connecting…" };
      ui.status.textContent = status === "fatal" ? translate("en", reason === "token" ? "fatalToken" : "fatalOther") : words[status] || "";
      ui.status.setAttribute("data-status", status);
    },
    hello(frame) {
      self = frame.principal || null;
      for (const entry of rooms.values()) entry.conversation.setSelf(self);
    },
    inbox(frame) {
      if (typeof frame.room !== "string") return;
      if (frame.message && !rooms.has(frame.room)) note(frame.room, frame.message);
      else room(frame.room);
    },
    joined(frame) {
      const entry = rooms.get(frame.room);
      if (!entry) return;
      for (const message of frame.messages || []) entry.conversation.applyMessage(message);
      render(frame.room);
    },
    message(frame) {
      const entry = rooms.get(frame.room);
      if (!entry) return;
      const { added, item } = entry.conversation.applyMessage(frame);
      if (added && !item.mine) note(frame.room, frame);
      render(frame.room);
    },
    history(frame) {
      HANDLERS.joined(frame);
    },
    ack(frame) {
      const entry = rooms.get(frame.room);
      if (entry && entry.conversation.applyAck(frame)) render(frame.room);
    },
    read(frame) {
      const entry = rooms.get(frame.room);
      if (entry && !entry.conversation.isMine(frame.sender) && entry.conversation.applyRead(frame.seq).length) render(frame.room);
    },
  };

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value;
    if (!text.trim() || !selected) return;
    const entry = rooms.get(selected);
    entry.conversation.addPending(client.send(selected, text));
    ui.input.value = "";
    render(selected);
  });
  ui.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.form.requestSubmit();
    }
  });
  ui.join.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = ui.joinRoom.value.trim();
    if (id) select(id);
    ui.joinRoom.value = "";
  });
  client.start();
  return client;
}

if (typeof document !== "undefined" && document.getElementById("parlor-agent-config")) {
  startAgentConsole(document);
}
