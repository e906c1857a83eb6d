/** Named timers of the running widget: setting one again replaces it. */

/**
 * Run `fn` after `delay` ms under `name`, cancelling the timer of that name first.
 * @param {{window: Window, state: {timers: object}}} widget
 */
export function setTimer(widget, name, delay, fn) {
  clearTimer(widget, name);
  widget.state.timers[name] = widget.window.setTimeout(fn, delay);
}

/** Cancel the timer `name`, if any. */
export function clearTimer(widget, name) {
  widget.window.clearTimeout(widget.state.timers[name]);
}
