/**
 * The dashboard's live transcript (the bundle /widget/dashboard.<hash>.js): the widget's own
 * chat client (reconnect, resume from seq, resend by client_msg_id, token refresh, close-code
 * policy) under the agent's reply box. A reply goes into the persisted outbox before anything
 * is sent, so one typed during a network blip is sent once the socket is back: never lost,
 * never doubled, and never posted as a form.
 */

import { availabilityBind, readSignal, typingBind } from "./agent_signals.js";
import { cannedBind, cannedRead } from "./canned.js";
import { ChatClient } from "./client.js";
import { Conversation } from "./conversation.js";
import { snoozeBind } from "./snooze.js";
import { staffTokenFetch } from "./staff_token.js";
import { browserStorage, createStore } from "./storage.js";
import { startInbox } from "./inbox_page.js";
import { fileSubmit, replySubmit, transcriptEvent, transcriptRender } from "./transcript_live.js";

/**
 * Make the transcript page in `document` live; returns the page record, or null elsewhere.
 * @param {Document} document
 */
export function startTranscript(document) {
  const section = document.getElementById("transcript");
  const form = document.getElementById("reply");
  if (!section || !form) return null;
  const page = transcriptPage(document, section, form);
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const { location } = document.defaultView;
  page.client = new ChatClient({
    url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${section.dataset.wsPath}`,
    store: createStore(section.dataset.outbox, browserStorage()),
    getToken: () => staffTokenFetch(section.dataset.tokenUrl, csrf),
    onEvent: (type, payload) => transcriptEvent(page, type, payload),
  });
  bindReplyBox(page, form);
  availabilityBind(page.client, document);
  typingBind(page);
  cannedBind(page.textarea, cannedRead(document));
  for (const name of ["focus", "visibilitychange"]) {
    (name === "focus" ? document.defaultView : document).addEventListener(name, () => readSignal(page));
  }
  for (const entry of page.client.outbox.list(page.room)) page.conversation.addPending(entry);
  transcriptRender(page);
  page.client.join(page.room, page.renderedSeq || null);
  // Replies still queued for other rooms (typed there before a blip) go out from here too.
  for (const entry of page.client.outbox.list()) page.client.join(entry.room);
  document.defaultView.addEventListener("online", () => page.client.connection.nudge());
  page.client.start();
  return page;
}

function transcriptPage(document, section, form) {
  const list = section.querySelector(".messages");
  const rendered = [...list.querySelectorAll(".message[data-seq]")];
  return {
    document,
    room: section.dataset.room,
    list,
    rendered: rendered.length ? rendered[rendered.length - 1] : null,
    renderedSeq: Number(section.dataset.lastSeq) || 0,
    status: document.getElementById("live-status"),
    textarea: form.querySelector("textarea"),
    conversation: new Conversation(),
    elements: new Map(),
    client: null,
  };
}

function bindReplyBox(page, form) {
  form.addEventListener("submit", (event) => replySubmit(page, event));
  const file = form.querySelector("input[type=file]");
  file?.addEventListener("change", () => fileSubmit(page, file));
  page.textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

if (typeof document !== "undefined") {
  startTranscript(document);
  snoozeBind(document);
  startInbox(document);
}
