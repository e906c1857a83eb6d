/**
 * The dashboard transcript's live part: the room's new messages, the state of the agent's
 * replies, the connection's status in words, and the reply box, all on the widget's client.
 */

import { attachmentShow, attachmentUpload } from "./attachments.js";
import { readSignal } from "./agent_signals.js";
import { placeMessages } from "./panel_log.js";
import { MAX_BODY_BYTES, utf8Length } from "./protocol.js";
import { eventAdd, eventItemCreate, statusBadgeSet } from "./transcript_events.js";
import { transcriptItemCreate, transcriptItemUpdate } from "./transcript_render.js";

const TRANSCRIPT_STATUS_TEXT = {
  connecting: "Connecting…",
  open: "Live",
  waiting: "Reconnecting… Replies typed now are kept and sent once it is back.",
};
const TRANSCRIPT_STATUS_STATE = { open: "live", waiting: "reconnecting", connecting: "connecting" };
const TRANSCRIPT_FATAL_TEXT = {
  session: "Your session ended. Log in again: replies typed meanwhile are kept and sent then.",
  other: "Disconnected: the live connection cannot be restored. Reload the page.",
};
const PAGE_NEAR_BOTTOM = 40;
const VISITOR_TYPING_SHOWN = 6000;

/**
 * Handle the chat client's event `type` for the transcript `page` (see dashboard.js).
 * @param {object} page
 * @param {string} type
 * @param {object} payload
 */
export function transcriptEvent(page, type, payload) {
  TRANSCRIPT_EVENTS[type]?.(page, payload);
}

const TRANSCRIPT_EVENTS = {
  status: (page, { status, reason }) => transcriptStatus(page, status, reason),
  hello(page, frame) {
    page.conversation.setSelf(frame.principal || null);
    renderedAttachmentsShow(page);
  },
  joined: messagesReceived,
  history: messagesReceived,
  message(page, frame) {
    if (frame.room !== page.room) return;
    page.conversation.applyMessage(frame);
    if (!page.conversation.isMine(frame.sender)) typingShow(page, null);
    transcriptRender(page);
    readSignal(page);
  },
  typing(page, frame) {
    if (frame.room !== page.room || page.conversation.isMine(frame.sender)) return;
    typingShow(page, frame.active ? frame.sender?.name || frame.sender?.id || "Visitor" : null);
  },
  conversation(page, frame) {
    if (frame.room === page.room) statusBadgeSet(page.document, frame.status);
  },
  "conversation.event"(page, frame) {
    if (frame.room !== page.room || !frame.event) return;
    statusBadgeSet(page.document, frame.conversation?.status);
    if (eventAdd(page, frame.event)) transcriptRender(page);
  },
  ack(page, frame) {
    if (page.conversation.applyAck(frame)) transcriptRender(page);
  },
  read(page, frame) {
    const { conversation } = page;
    if (frame.room !== page.room || conversation.isMine(frame.sender)) return;
    if (conversation.applyRead(frame.seq).length) transcriptRender(page);
  },
  failed(page, entry) {
    if (entry.room !== page.room) return;
    page.conversation.markFailed(entry.client_msg_id);
    transcriptRender(page);
    statusLine(page, `Not sent (${entry.code}).`, "error");
  },
};

function messagesReceived(page, frame) {
  if (frame.room !== page.room) return;
  for (const message of frame.messages || []) page.conversation.applyMessage(message);
  transcriptRender(page);
  readSignal(page);
}

function typingShow(page, name) {
  const line = page.document.getElementById("typing");
  if (!line) return;
  const timers = page.document.defaultView;
  timers.clearTimeout(page.typingTimer);
  line.textContent = name ? `${name} is typing…` : "";
  if (name) page.typingTimer = timers.setTimeout(() => typingShow(page, null), VISITOR_TYPING_SHOWN);
}

/**
 * Show the connection's status: "Live", reconnecting, or why it stopped for good.
 * @param {object} page
 * @param {string} status see Connection's onStatus
 * @param {string} [reason]
 */
export function transcriptStatus(page, status, reason = "") {
  if (status === "connecting") page.status.dataset.connects = String(Number(page.status.dataset.connects || 0) + 1);
  if (status === "fatal") statusLine(page, TRANSCRIPT_FATAL_TEXT[reason] || TRANSCRIPT_FATAL_TEXT.other, reason === "session" ? "session-ended" : "stopped");
  else if (TRANSCRIPT_STATUS_TEXT[status]) statusLine(page, TRANSCRIPT_STATUS_TEXT[status], TRANSCRIPT_STATUS_STATE[status]);
}

function statusLine(page, text, state) {
  page.status.textContent = text;
  page.status.dataset.state = state;
}

/**
 * Show the room's messages after those the server rendered, each once, in seq order.
 * @param {object} page
 */
export function transcriptRender(page) {
  const { document, list, elements } = page;
  const shown = [];
  for (const item of page.conversation.items) {
    // The server rendered this one already (a reply acknowledged after a reload).
    if (item.seq !== null && item.seq <= page.renderedSeq) elements.get(item.key)?.remove();
    else shown.push(item);
  }
  if (!shown.length) return;
  list.querySelector(".empty")?.remove();
  const stick = atPageBottom(document);
  const decorate = (item, element) => transcriptAttachment(page, item, element);
  const render = {
    make: (item) =>
      item.event ? eventItemCreate(document, item) : decorate(item, transcriptItemCreate(document, item)),
    update: (element, item) => {
      if (item.event) return;
      transcriptItemUpdate(element, item);
      decorate(item, element);
    },
  };
  placeMessages(list, elements, shown, render, page.rendered);
  if (stick) document.defaultView.scrollTo(0, document.body.scrollHeight);
}

function transcriptAttachment(page, item, element) {
  const token = page.client?.connection.token;
  attachmentShow({ document: page.document, element, item, base: "", token });
  return element;
}

/** Show the files of the messages the server rendered, once the agent's token is known. */
function renderedAttachmentsShow(page) {
  for (const element of page.list.querySelectorAll(".message[data-client-msg-id^=att_]")) {
    const item = { key: element.dataset.clientMsgId, id: Number(element.dataset.id) };
    transcriptAttachment(page, item, element);
  }
}

/**
 * Send the file the agent picked to the room over HTTP; it comes back as a message.
 * @param {object} page
 * @param {HTMLInputElement} input
 */
export async function fileSubmit(page, input) {
  const [file] = input.files || [];
  input.value = "";
  const token = page.client?.connection.token;
  if (!file || !token) return;
  statusLine(page, `Sending ${file.name}…`, "uploading");
  try {
    await attachmentUpload({ base: "", token, room: page.room, file });
    statusLine(page, "Live", "live");
  } catch (error) {
    statusLine(page, `The file was not sent (${error.code || "network"}).`, "error");
  }
}

function atPageBottom(document) {
  const window = document.defaultView;
  return window.innerHeight + window.scrollY >= document.body.scrollHeight - PAGE_NEAR_BOTTOM;
}

/**
 * Queue the reply typed in the box (the outbox keeps it until the server acknowledges it).
 * @param {object} page
 * @param {Event} event
 */
export function replySubmit(page, event) {
  event.preventDefault();
  const { textarea } = page;
  const text = textarea.value;
  if (!text.trim()) return;
  if (utf8Length(text) > MAX_BODY_BYTES) {
    statusLine(page, `That reply is too long (at most ${MAX_BODY_BYTES} bytes).`, "error");
    return;
  }
  page.conversation.addPending(page.client.send(page.room, text));
  page.stopTyping?.();
  textarea.value = "";
  textarea.focus();
  transcriptRender(page);
}
