/** What the visitor asks of the room: sending a message, loading earlier ones. */

import { attachmentUpload } from "./attachments.js";
import { MAX_BODY_BYTES, utf8Length } from "./protocol.js";
import { panelSetLoadingOlder, panelSetStatus } from "./panel_labels.js";
import { panelRender } from "./panel_log.js";
import { typingStop } from "./typing.js";
import { contextRefresh } from "./visitor_context.js";

const HISTORY_PAGE = 30;

/**
 * Queue `text` in the outbox (sent once the room is joined); return false to keep it typed.
 * @param {object} widget the running widget (see app.js)
 * @param {string} text
 */
export function messageSend(widget, text) {
  const { state, view, conversation } = widget;
  if (utf8Length(text) > MAX_BODY_BYTES) {
    panelSetStatus(view, "tooLong");
    return false;
  }
  if (!state.room) return false;
  if (state.typingSent) typingStop(widget);
  const entry = state.client.send(state.room, text);
  conversation.addPending(entry);
  panelRender(view, conversation.items);
  if (view.statusKey === "tooLong") panelSetStatus(view, null);
  contextRefresh(widget);
  return true;
}

const UPLOAD_REFUSALS = { file_too_large: "fileTooLarge", type_refused: "fileRefused" };

/**
 * Upload `file` to the widget's room over HTTP; it arrives as a message like any other.
 * @param {object} widget the running widget (see app.js)
 * @param {File} file
 */
export async function fileSend(widget, file) {
  const { state, view, config } = widget;
  const token = state.client?.connection.token;
  if (!state.room || !token || !file) return;
  panelSetStatus(view, "uploading");
  try {
    await attachmentUpload({ base: config.base, token, room: state.room, file });
    if (view.statusKey === "uploading") panelSetStatus(view, null);
  } catch (error) {
    panelSetStatus(view, UPLOAD_REFUSALS[error.code] || "uploadFailed");
  }
}

/** Ask for the page of messages before the oldest one shown, once at a time. */
export function olderLoad(widget) {
  const { state, view, conversation } = widget;
  const oldest = conversation.oldestSeq();
  if (!state.hasMore || state.loadingOlder || oldest === null || !state.room) return;
  if (!state.client.history(state.room, oldest, HISTORY_PAGE)) return;
  state.loadingOlder = true;
  panelSetLoadingOlder(view, true);
}
