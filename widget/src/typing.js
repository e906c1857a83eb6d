/** The visitor's typing indicator as the room sees it: on with the first key, off when idle. */

import { clearTimer, setTimer } from "./timers.js";

const TYPING_IDLE = 4000;

/**
 * The visitor typed: tell the room once, and stop telling it after a pause.
 * @param {object} widget the running widget (see app.js)
 */
export function typingStart(widget) {
  const { state } = widget;
  if (!state.room) return;
  if (!state.typingSent && state.client.typing(state.room, true)) state.typingSent = true;
  setTimer(widget, "typingIdle", TYPING_IDLE, () => typingStop(widget));
}

/** Tell the room the visitor stopped typing (if it was told they started). */
export function typingStop(widget) {
  const { state } = widget;
  clearTimer(widget, "typingIdle");
  if (state.typingSent && state.room) state.client.typing(state.room, false);
  state.typingSent = false;
}
