/**
 * Asking the visitor for contact details, at most once: an email address when nobody can
 * answer (skippable), the tenant's pre-chat form, or, when closed with the offline form on,
 * a message form (name, email, question) in place of the composer.
 */

import { messageSend } from "./compose.js";
import { translate } from "./i18n.js";
import { makeElement } from "./panel_parts.js";

export const CONTACT_PATH = "/api/v1/widget/contact";
const INPUT_TYPES = { name: "text", email: "email", question: "textarea" };

/**
 * Return what to ask now ({fields, prompt, required}), or null when nothing is to be asked.
 * @param {object} widget the running widget (see app.js)
 */
export function captureWanted(widget) {
  const { state, store, config } = widget;
  if (config.token || store.get("contactAsked") || widget.view.parts.capture) return null;
  const status = state.status || {};
  const followup = state.followup || {};
  if (status.state === "closed" && status.offline_form) {
    return { fields: ["name", "email", "question"], prompt: "captureOffline", required: true };
  }
  const prechat = Array.isArray(followup.prechat_fields) ? followup.prechat_fields : [];
  if (prechat.length) return { fields: prechat, prompt: "capturePrechat", required: false };
  const agentHere = [...state.online.values()].some((member) => member.kind === "agent");
  if (followup.ask_email && status.state !== "online" && !agentHere) {
    return { fields: ["email"], prompt: "captureEmail", required: false };
  }
  return null;
}

/** Show the capture form if something is to be asked (see captureWanted). */
export function captureMaybe(widget) {
  const wanted = captureWanted(widget);
  if (wanted) captureShow(widget, wanted);
}

function captureShow(widget, wanted) {
  const { view } = widget;
  const locale = view.locale;
  const form = makeElement(widget.document, "form", "capture");
  const prompt = makeElement(widget.document, "p");
  prompt.textContent = translate(locale, wanted.prompt);
  form.append(prompt, ...wanted.fields.map((name) => captureField(widget.document, locale, name)));
  const error = makeElement(widget.document, "p", "capture-error", { role: "alert" });
  form.append(captureButtons(widget, wanted), error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    captureSubmit(widget, form, error);
  });
  view.parts.capture = form;
  view.parts.form.hidden = wanted.required;
  view.parts.panel.insertBefore(form, view.parts.scroll);
}

function captureField(document, locale, name) {
  const label = makeElement(document, "label");
  label.textContent = translate(locale, `field${name[0].toUpperCase()}${name.slice(1)}`);
  const tag = INPUT_TYPES[name] === "textarea" ? "textarea" : "input";
  const input = makeElement(document, tag, "", { name, "data-field": name });
  if (tag === "input") input.setAttribute("type", INPUT_TYPES[name] || "text");
  if (name === "email" || name === "question") input.required = true;
  label.append(input);
  return label;
}

function captureButtons(widget, wanted) {
  const buttons = makeElement(widget.document, "div", "capture-buttons");
  const save = makeElement(widget.document, "button", "send", { type: "submit" });
  save.textContent = translate(widget.view.locale, "captureSave");
  buttons.append(save);
  if (!wanted.required) {
    const skip = makeElement(widget.document, "button", "skip", { type: "button" });
    skip.textContent = translate(widget.view.locale, "captureSkip");
    skip.addEventListener("click", () => captureDone(widget));
    buttons.append(skip);
  }
  return buttons;
}

async function captureSubmit(widget, form, error) {
  const values = Object.fromEntries(
    [...form.querySelectorAll("[data-field]")].map((input) => [input.name, input.value.trim()]),
  );
  try {
    if (values.email) await contactSend(widget, values);
  } catch {
    error.textContent = translate(widget.view.locale, "captureFailed");
    return;
  }
  captureDone(widget);
  if (values.question) messageSend(widget, values.question);
}

async function contactSend(widget, values) {
  const { config, store, window } = widget;
  const body = {
    key: config.key,
    visitor: store.get("visitor"),
    email: values.email,
    name: values.name || "",
    page_url: window.location.href.split("#")[0],
  };
  const response = await window.fetch(config.base + CONTACT_PATH, {
    method: "POST",
    mode: "cors",
    credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`contact refused: ${response.status}`);
}

function captureDone(widget) {
  const { view, store } = widget;
  store.set("contactAsked", true);
  view.parts.capture.remove();
  view.parts.form.hidden = false;
}
