/**
 * The live inbox (the dashboard's conversation list): the widget's own chat client listens
 * for the tenant's `inbox` and `conversation.event` frames, and each one makes the page
 * re-read `inbox.json`, so order, filters and unread counts always come from storage.
 * New visitor messages in conversations that are new, unassigned or the agent's own notify.
 */

import { availabilityBind } from "./agent_signals.js";
import { ChatClient } from "./client.js";
import { inboxRender } from "./inbox_render.js";
import { notifyAgent, notifyPermissionAsk, soundChoose, soundWanted, titleCount } from "./notify.js";
import { staffTokenFetch } from "./staff_token.js";
import { browserStorage, createStore } from "./storage.js";

const INBOX_REFRESH_DELAY = 100;
const INBOX_STATUS_TEXT = { open: "Live", waiting: "Reconnecting…", connecting: "Connecting…" };

/**
 * Make the inbox page in `document` live; returns the page record, or null elsewhere.
 * @param {Document} document
 */
export function startInbox(document) {
  const section = document.getElementById("inbox");
  if (!section) return null;
  const window = document.defaultView;
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
  const page = {
    document,
    section,
    list: document.getElementById("inbox-list"),
    status: document.getElementById("live-status"),
    rows: new Map(),
    timer: null,
    refreshes: 0,
  };
  page.client = new ChatClient({
    url: `${window.location.protocol === "https:" ? "wss:" : "ws:"}//${window.location.host}${section.dataset.wsPath}`,
    store: createStore(section.dataset.outbox, browserStorage()),
    getToken: () => staffTokenFetch(section.dataset.tokenUrl, csrf),
    onEvent: (type, payload) => inboxEvent(page, type, payload),
  });
  // Replies queued on a transcript during an outage go out from here too: never lost.
  for (const entry of page.client.outbox.list()) page.client.join(entry.room);
  availabilityBind(page.client, document);
  inboxControls(page);
  window.addEventListener("online", () => page.client.connection.nudge());
  page.client.start();
  return page;
}

function inboxControls(page) {
  const { document } = page;
  const window = document.defaultView;
  const sound = document.getElementById("inbox-sound");
  if (sound) {
    sound.checked = soundWanted(window);
    sound.addEventListener("change", () => soundChoose(window, sound.checked));
  }
  document.getElementById("inbox-notify")?.addEventListener("click", () => notifyPermissionAsk(window));
}

function inboxEvent(page, type, payload) {
  if (type === "status" && INBOX_STATUS_TEXT[payload.status]) {
    page.status.textContent = INBOX_STATUS_TEXT[payload.status];
    page.status.dataset.state = payload.status;
  } else if (type === "hello") inboxSchedule(page);
  else if (type === "inbox") {
    inboxAlert(page, payload);
    inboxSchedule(page);
  } else if (type === "conversation.event") inboxSchedule(page);
}

function inboxAlert(page, frame) {
  const message = frame.message || {};
  if (message.sender?.kind === "agent") return;
  const known = page.rows.get(frame.room);
  const me = Number(page.section.dataset.me);
  if (known && known.assignee !== null && known.assignee !== me) return;
  const name = message.sender?.name || "A visitor";
  notifyAgent(page.document.defaultView, `${name} wrote`, String(message.body ?? ""), `/dashboard/conversations/${frame.room}`);
}

function inboxSchedule(page) {
  const window = page.document.defaultView;
  window.clearTimeout(page.timer);
  page.timer = window.setTimeout(() => inboxRefresh(page), INBOX_REFRESH_DELAY);
}

/**
 * Re-read the inbox with the page's filters and show it.
 * @param {object} page
 */
export async function inboxRefresh(page) {
  const { document, section } = page;
  const window = document.defaultView;
  const query = new URLSearchParams(window.location.search);
  query.set("view", section.dataset.view);
  query.set("status", section.dataset.status);
  const response = await window.fetch(`${section.dataset.json}?${query}`, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  page.rows = new Map(data.conversations.map((row) => [row.id, row]));
  inboxRender(document, page.list, data.conversations);
  titleCount(document, data.unread_total);
  page.refreshes += 1;
  section.dataset.refreshes = String(page.refreshes);
}
