/**
 * Who is in the visitor's room, and what the panel says about it: "online" when an agent is
 * in the room or any agent of the tenant is available (`hello.agents_available`, then each
 * `availability` frame), else "away".
 */

import { captureMaybe } from "./capture.js";
import { panelSetPresence } from "./panel_labels.js";

/**
 * Apply who came online and who went (`joined` gives the snapshot, `presence` the deltas).
 * @param {object} widget the running widget (see app.js)
 * @param {object[]|undefined} joined
 * @param {object[]|undefined} left
 */
export function presenceUpdate(widget, joined, left) {
  const { online } = widget.state;
  const key = (member) => `${member.kind}:${member.id}`;
  for (const member of Array.isArray(joined) ? joined : []) {
    if (member) online.set(key(member), member);
  }
  for (const member of Array.isArray(left) ? left : []) {
    if (member) online.delete(key(member));
  }
  presenceShow(widget);
}

/**
 * Record whether any agent of the tenant is available, and show it.
 * @param {object} widget
 * @param {boolean} available
 */
export function availabilitySet(widget, available) {
  widget.state.agentsAvailable = available === true;
  presenceShow(widget);
}

function presenceShow(widget) {
  const { online, agentsAvailable } = widget.state;
  const inRoom = [...online.values()].some((member) => member.kind === "agent");
  panelSetPresence(widget.view, inRoom || agentsAvailable === true);
  captureMaybe(widget);
}

/**
 * Return the status line's key while the socket is down.
 * @param {object} widget
 */
export function statusWhileDown(widget) {
  if (widget.window.navigator.onLine === false) return "offline";
  return widget.state.everOpen ? "reconnecting" : "retrying";
}
