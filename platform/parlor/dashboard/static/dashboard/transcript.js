/**
 * The live transcript: appends the room's new messages as they arrive and sends replies over
 * the WebSocket. Without it (or while disconnected) the reply form posts to the server.
 */

import { AgentConnection } from "./connection.js";

const STATUS_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  error: "Not sent: ",
  stopped: "Disconnected: ",
  "session-ended": "Your session ended. Log in again to reply live.",
};

/**
 * Return the list item for one message (text only: never parsed as HTML).
 * @param {{seq: number, sender: {kind: string, id: string, name: string}, body: string, sent_at: string}} message
 */
export function messageItem(message) {
  const item = document.createElement("li");
  item.className = `message ${message.sender.kind}`;
  item.dataset.seq = String(message.seq);
  const meta = document.createElement("div");
  meta.className = "meta";
  const sender = document.createElement("span");
  sender.className = "sender";
  sender.textContent = message.sender.name || message.sender.id;
  const kind = document.createElement("span");
  kind.className = "kind";
  kind.textContent = message.sender.kind;
  const time = document.createElement("time");
  time.dateTime = message.sent_at;
  time.textContent = `${message.sent_at.replace("T", " ").slice(0, 19)} UTC`;
  meta.append(sender, " ", kind, " ", time);
  const body = document.createElement("div");
  body.className = "body";
  body.textContent = message.body;
  item.append(meta, body);
  return item;
}

function start() {
  const section = document.getElementById("transcript");
  const form = document.getElementById("reply");
  if (section === null || form === null) return;
  const list = section.querySelector(".messages");
  const status = document.getElementById("live-status");
  const textarea = form.querySelector("textarea");
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const connection = new AgentConnection({
    wsUrl: `${scheme}//${window.location.host}${section.dataset.wsPath}`,
    tokenUrl: section.dataset.tokenUrl,
    csrf: form.querySelector("input[name=csrfmiddlewaretoken]").value,
    room: section.dataset.room,
    lastSeq: Number(section.dataset.lastSeq) || 0,
    onMessage(message) {
      list.querySelector(".empty")?.remove();
      const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      list.append(messageItem(message));
      if (atBottom) window.scrollTo(0, document.body.scrollHeight);
    },
    onStatus(state, detail = "") {
      status.textContent = STATUS_TEXT[state] + (state === "error" || state === "stopped" ? detail : "");
      status.dataset.state = state;
      if (state === "connecting") status.dataset.connects = String(Number(status.dataset.connects || 0) + 1);
    },
  });
  form.addEventListener("submit", (event) => {
    if (!connection.ready) return; // the plain form post stores the reply instead
    event.preventDefault();
    if (!textarea.value.trim()) return;
    connection.send(textarea.value);
    textarea.value = "";
    textarea.focus();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  connection.connect();
}

start();
