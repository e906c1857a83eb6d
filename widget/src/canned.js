/** Canned responses in a reply box: `/shortcut` then Tab or Space inserts the saved text. */

const SHORTCUT_AT_CARET = /(^|\s)\/([a-z0-9][a-z0-9_-]{0,31})$/;

/**
 * Read the page's canned responses (a JSON script element), as a Map of shortcut to text.
 * @param {Document} document
 */
export function cannedRead(document) {
  const element = document.getElementById("canned-responses");
  const responses = new Map();
  try {
    for (const item of JSON.parse(element?.textContent || "[]")) {
      if (item && typeof item.shortcut === "string") responses.set(item.shortcut, String(item.text ?? ""));
    }
  } catch {
    // No canned responses on this page.
  }
  return responses;
}

/**
 * Expand `/shortcut` before the caret of `textarea` into its text; returns true if it did.
 * @param {HTMLTextAreaElement} textarea
 * @param {Map<string, string>} responses
 */
export function cannedExpand(textarea, responses) {
  const caret = textarea.selectionStart ?? textarea.value.length;
  const before = textarea.value.slice(0, caret);
  const match = SHORTCUT_AT_CARET.exec(before);
  if (!match || !responses.has(match[2])) return false;
  const start = caret - match[2].length - 1;
  const text = responses.get(match[2]);
  textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(caret);
  textarea.selectionStart = textarea.selectionEnd = start + text.length;
  return true;
}

/**
 * Expand shortcuts in `textarea` on Tab or Space.
 * @param {HTMLTextAreaElement} textarea
 * @param {Map<string, string>} responses
 */
export function cannedBind(textarea, responses) {
  if (!responses.size) return;
  textarea.addEventListener("keydown", (event) => {
    if ((event.key === "Tab" || event.key === " ") && !event.shiftKey && cannedExpand(textarea, responses)) {
      event.preventDefault();
    }
  });
}
