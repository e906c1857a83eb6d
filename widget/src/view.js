/**
 * The chat panel: header with title, avatar and agent presence, connection status in
 * words, the message log (aria-live), older history on scroll-up, typing indicator and
 * composer (Enter sends, Shift+Enter starts a new line). Text goes in through textContent.
 * Its parts are built in panel_parts.js, labelled in panel_labels.js, filled in panel_log.js.
 */

import { panelRelabel } from "./panel_labels.js";
import { panelAtBottom } from "./panel_log.js";
import { buildPanelParts } from "./panel_parts.js";

const NEAR_TOP = 40;

/**
 * Build the panel inside `launcher.root` and return it (a plain record the panel_* functions
 * take). Callbacks: onSend(text), onFile(file), onClose(), onTyping(), onNearTop(), onSeen().
 * @param {Document} document
 * @param {{root: ShadowRoot, wrapper: HTMLElement}} launcher
 * @param {object} callbacks
 */
export function createPanel(document, launcher, callbacks) {
  const parts = buildPanelParts(document);
  launcher.root.insertBefore(parts.style, launcher.root.firstChild);
  launcher.wrapper.appendChild(parts.panel);
  const view = {
    document,
    launcher,
    parts,
    elements: new Map(),
    locale: "en",
    title: "",
    statusKey: null,
    fatal: false,
    presenceOnline: null,
    typingName: null,
    items: [],
  };
  bindPanelEvents(view, callbacks);
  panelRelabel(view);
  return view;
}

function bindPanelEvents(view, callbacks) {
  const { form, textarea, close, panel, scroll } = view.parts;
  const submit = (event) => panelSubmit(view, callbacks, event);
  form.addEventListener("submit", submit);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  });
  textarea.addEventListener("input", () => callbacks.onTyping());
  close.addEventListener("click", () => callbacks.onClose());
  bindFilePicker(view, callbacks);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") callbacks.onClose();
  });
  scroll.addEventListener("scroll", () => {
    if (scroll.scrollTop < NEAR_TOP) callbacks.onNearTop();
    if (panelAtBottom(view)) callbacks.onSeen();
  });
}

function bindFilePicker(view, callbacks) {
  const { attach, file } = view.parts;
  attach.addEventListener("click", () => file.click());
  file.addEventListener("change", () => {
    const [chosen] = file.files || [];
    file.value = "";
    if (chosen && !view.fatal) callbacks.onFile?.(chosen);
  });
}

function panelSubmit(view, callbacks, event) {
  if (event) event.preventDefault();
  const { textarea } = view.parts;
  const text = textarea.value;
  if (!text.trim() || view.fatal) return;
  if (callbacks.onSend(text) !== false) textarea.value = "";
}

/** Return whether the panel is shown. */
export function panelIsShown(view) {
  return !view.parts.panel.hidden;
}

/** Show the panel and move focus to the composer. */
export function panelShow(view) {
  const { panel, scroll, textarea } = view.parts;
  panel.hidden = false;
  view.launcher.wrapper.classList.add("open");
  scroll.scrollTop = scroll.scrollHeight;
  textarea.focus({ preventScroll: true });
}

/** Hide the panel; focus returns to the launcher if it was inside the panel. */
export function panelHide(view) {
  const { launcher } = view;
  const { panel } = view.parts;
  const hadFocus = panel.contains(launcher.root.activeElement);
  panel.hidden = true;
  launcher.wrapper.classList.remove("open");
  if (hadFocus) launcher.button.focus({ preventScroll: true });
}
