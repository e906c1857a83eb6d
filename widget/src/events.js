/**
 * What the widget does with each event of its chat client: the connection's status, the
 * server's hello, the room's messages, acks, receipts, typing, presence and history.
 */

import { messageIncoming, widgetText } from "./attention.js";
import { panelSetLoadingOlder, panelSetStatus, panelSetTyping } from "./panel_labels.js";
import { panelClear, panelRender } from "./panel_log.js";
import { availabilitySet, presenceUpdate, statusWhileDown } from "./presence.js";
import { conversationChanged } from "./rating.js";
import { setTimer } from "./timers.js";

const FATAL_TEXT = {
  key: "fatalKey",
  origin: "fatalOrigin",
  refused: "fatalRefused",
  token: "fatalToken",
  other: "fatalOther",
};
const TYPING_SHOWN = 6000;

/**
 * Handle the client's event `type` with `payload` (see ChatClient's onEvent).
 * @param {object} widget the running widget (see app.js)
 * @param {string} type
 * @param {object} payload
 */
export function widgetEvent(widget, type, payload) {
  WIDGET_EVENTS[type]?.(widget, payload);
}

const WIDGET_EVENTS = {
  status: statusChanged,
  hello: helloReceived,
  joined: roomJoined,
  message: messageReceived,
  ack(widget, frame) {
    if (widget.conversation.applyAck(frame)) panelRender(widget.view, widget.conversation.items);
  },
  failed(widget, entry) {
    widget.conversation.markFailed(entry.client_msg_id);
    panelRender(widget.view, widget.conversation.items);
  },
  typing: typingReceived,
  read(widget, frame) {
    const { conversation, state, view } = widget;
    if (frame.room !== state.room || conversation.isMine(frame.sender)) return;
    if (conversation.applyRead(frame.seq).length) panelRender(view, conversation.items);
  },
  availability(widget, frame) {
    availabilitySet(widget, frame.available);
  },
  presence(widget, frame) {
    if (frame.room === widget.state.room) presenceUpdate(widget, frame.joined, frame.left);
  },
  history: historyReceived,
  conversation: conversationChanged,
  error(widget, frame) {
    if (frame.re === `h:${widget.state.room}`) olderLoaded(widget);
  },
};

function statusChanged(widget, { status, reason }) {
  const { state, view } = widget;
  if (status === "open") {
    state.everOpen = true;
    panelSetStatus(view, null);
  } else if (status === "fatal") panelSetStatus(view, FATAL_TEXT[reason] || "fatalOther", true);
  else if (status === "waiting") panelSetStatus(view, statusWhileDown(widget));
  else if (status === "connecting" && !state.everOpen) panelSetStatus(view, "connecting");
}

function helloReceived(widget, frame) {
  const { conversation, state, view, store } = widget;
  conversation.setSelf(frame.principal || null);
  if (typeof frame.agents_available === "boolean") availabilitySet(widget, frame.agents_available);
  const room = frame.conversation || state.room;
  if (!room) return;
  if (room !== state.room) {
    conversation.clear();
    panelClear(view);
  }
  state.room = room;
  store.set("room", room);
  if (!state.client.rooms.has(room)) state.client.join(room);
}

function roomJoined(widget, frame) {
  const { conversation, state, view } = widget;
  if (frame.room !== state.room) return;
  const resumed = conversation.newestSeq() !== null;
  for (const message of frame.messages || []) {
    const { item, added } = conversation.applyMessage(message);
    const unseen = resumed || message.seq > (frame.read_seq || 0);
    if (added && !item.mine && unseen) messageIncoming(widget, item);
  }
  if (!resumed) state.hasMore = (conversation.oldestSeq() || 1) > 1;
  panelRender(view, conversation.items);
  state.online = new Map();
  presenceUpdate(widget, frame.online, []);
}

function messageReceived(widget, frame) {
  const { conversation, state, view } = widget;
  if (frame.room !== state.room) return;
  const { item, added } = conversation.applyMessage(frame);
  if (!item.mine && view.typingName) panelSetTyping(view, null);
  panelRender(view, conversation.items);
  if (added && !item.mine) messageIncoming(widget, item);
}

function typingReceived(widget, frame) {
  const { conversation, state, view } = widget;
  if (frame.room !== state.room || conversation.isMine(frame.sender)) return;
  panelSetTyping(view, frame.active ? frame.sender?.name || widgetText(widget, "agent") : null);
  setTimer(widget, "typingShown", TYPING_SHOWN, () => panelSetTyping(view, null));
}

function historyReceived(widget, frame) {
  const { conversation, state, view } = widget;
  if (frame.room !== state.room) return;
  for (const message of frame.messages || []) conversation.applyMessage(message);
  const older = frame.re === `h:${frame.room}`;
  if (older) {
    state.hasMore = Boolean(frame.has_more);
    olderLoaded(widget);
  }
  panelRender(view, conversation.items, { keepPosition: older });
}

function olderLoaded(widget) {
  widget.state.loadingOlder = false;
  panelSetLoadingOlder(widget.view, false);
}
