/**
 * Turns message text into text and link nodes. Text is never parsed as HTML: every piece
 * becomes a text node, and only http, https and mailto URLs become anchors.
 */

const LINK_PATTERN = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;
const LINK_SCHEMES = ["http:", "https:", "mailto:"];
const TRAILING_PUNCTUATION = /[.,;:!?'"\]}>]+$/;

/**
 * Split `text` into `{type: "text", text}` and `{type: "link", text, href}` parts, in order.
 * @param {string} text
 * @returns {Array<{type: string, text: string, href?: string}>}
 */
export function linkParts(text) {
  const parts = [];
  let last = 0;
  for (const match of String(text).matchAll(LINK_PATTERN)) {
    const candidate = trimLink(match[0]);
    const href = safeHref(candidate);
    if (!href) continue;
    if (match.index > last) parts.push({ type: "text", text: text.slice(last, match.index) });
    parts.push({ type: "link", text: candidate, href });
    last = match.index + candidate.length;
  }
  if (last < text.length) parts.push({ type: "text", text: text.slice(last) });
  return parts;
}

/** Drop trailing punctuation and an unbalanced closing parenthesis from a matched URL. */
function trimLink(candidate) {
  let link = candidate.replace(TRAILING_PUNCTUATION, "");
  while (link.endsWith(")") && countOf(link, "(") < countOf(link, ")")) {
    link = link.slice(0, -1).replace(TRAILING_PUNCTUATION, "");
  }
  return link;
}

function countOf(text, character) {
  return text.split(character).length - 1;
}

/**
 * Return the normalised href for `candidate` if it is an http, https or mailto URL, else "".
 * @param {string} candidate
 * @returns {string}
 */
export function safeHref(candidate) {
  let url;
  try {
    url = new URL(candidate);
  } catch {
    return "";
  }
  if (!LINK_SCHEMES.includes(url.protocol)) return "";
  if (url.protocol !== "mailto:" && !url.hostname) return "";
  if (url.protocol === "mailto:" && !url.pathname.includes("@")) return "";
  return url.href;
}

/**
 * Append `text` to `parent` as text nodes and safe anchors (rel="noopener noreferrer").
 * @param {Document} document
 * @param {Element} parent
 * @param {string} text
 */
export function appendLinkedText(document, parent, text) {
  for (const part of linkParts(text)) {
    if (part.type === "text") {
      parent.appendChild(document.createTextNode(part.text));
      continue;
    }
    const anchor = document.createElement("a");
    anchor.setAttribute("href", part.href);
    anchor.setAttribute("target", "_blank");
    anchor.setAttribute("rel", "noopener noreferrer");
    anchor.textContent = part.text;
    parent.appendChild(anchor);
  }
}
