/**
 * The satisfaction prompt: when the visitor's conversation is resolved (the server's
 * `conversation` frame), ask for 1-5 and an optional comment, and post them once sent.
 */

import { translate } from "./i18n.js";
import { makeElement } from "./panel_parts.js";

export const RATING_PATH = "/api/v1/ratings";
const SCORES = [1, 2, 3, 4, 5];

/**
 * Handle a `conversation` frame: on `resolved` for the widget's room, show the prompt.
 * @param {object} widget the running widget (see app.js)
 * @param {{room: string, status: string}} frame
 */
export function conversationChanged(widget, frame) {
  if (frame.room !== widget.state.room || frame.status !== "resolved") return;
  ratingShow(widget);
}

/** Show the rating prompt at the end of the log (a new one each time it is resolved). */
export function ratingShow(widget) {
  const { view } = widget;
  view.parts.rating?.remove();
  const form = ratingForm(view.document, (key) => translate(view.locale, key));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ratingSubmit(widget, form);
  });
  view.parts.rating = form;
  view.parts.scroll.append(form);
  view.parts.scroll.scrollTop = view.parts.scroll.scrollHeight;
}

function ratingForm(document, text) {
  const form = makeElement(document, "form", "rating", { "aria-label": text("ratePrompt") });
  const prompt = makeElement(document, "p", "prompt");
  prompt.textContent = text("ratePrompt");
  const scores = makeElement(document, "div", "scores", { role: "radiogroup" });
  for (const score of SCORES) {
    const label = makeElement(document, "label");
    const input = makeElement(document, "input", "", { type: "radio", name: "score", value: String(score) });
    label.append(input, String(score));
    scores.append(label);
  }
  const comment = makeElement(document, "textarea", "", { name: "comment", rows: "2", maxlength: "2000" });
  comment.setAttribute("placeholder", text("rateComment"));
  comment.setAttribute("aria-label", text("rateComment"));
  const send = makeElement(document, "button", "send", { type: "submit" });
  send.textContent = text("rateSend");
  const note = makeElement(document, "p", "note", { role: "status" });
  form.append(prompt, scores, comment, send, note);
  return form;
}

async function ratingSubmit(widget, form) {
  const { state, config, view } = widget;
  const note = form.querySelector(".note");
  const chosen = form.querySelector("input[name=score]:checked");
  if (!chosen) {
    note.textContent = translate(view.locale, "rateChoose");
    return;
  }
  const body = { room: state.room, score: Number(chosen.value), comment: form.elements.comment.value };
  try {
    const response = await fetch(config.base + RATING_PATH, {
      method: "POST",
      credentials: "omit",
      headers: { Authorization: `Bearer ${state.client.connection.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`rating: HTTP ${response.status}`);
    form.replaceChildren(makeElement(view.document, "p", "thanks"));
    form.firstChild.textContent = translate(view.locale, "rateThanks");
  } catch {
    note.textContent = translate(view.locale, "rateFailed");
  }
}
