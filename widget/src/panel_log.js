/**
 * The panel's message log: keeps one element per message in order, and the scroll position
 * where the reader expects it (stuck to the bottom, or kept while older messages arrive).
 */

import { createMessageElement, updateMessageElement } from "./render.js";

const NEAR_BOTTOM = 60;

/**
 * Return whether the newest messages are scrolled into view.
 * @param {object} view the panel (see view.js)
 */
export function panelAtBottom(view) {
  const { scroll } = view.parts;
  return scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < NEAR_BOTTOM;
}

/**
 * Make the log show `items` (in order), creating, updating and moving elements as needed.
 * @param {object} view
 * @param {object[]} items
 * @param {{keepPosition?: boolean}} [options]
 */
export function panelRender(view, items, { keepPosition = false } = {}) {
  const { scroll } = view.parts;
  const stick = panelAtBottom(view);
  const fromBottom = scroll.scrollHeight - scroll.scrollTop;
  view.items = items;
  const make = (item) => {
    const element = createMessageElement(view.document, item, view.locale);
    view.decorate?.(item, element);
    return element;
  };
  const update = (element, item) => {
    updateMessageElement(element, item, view.locale);
    view.decorate?.(item, element);
  };
  placeMessages(view.parts.log, view.elements, items, { make, update });
  if (keepPosition) scroll.scrollTop = scroll.scrollHeight - fromBottom;
  else if (stick) scroll.scrollTop = scroll.scrollHeight;
}

/**
 * Put one element per item into `log`, in the items' order; `elements` maps item keys to
 * elements already made. Shared by the widget's panel and the dashboard's transcript.
 * @param {HTMLElement} log
 * @param {Map<string, HTMLElement>} elements
 * @param {object[]} items
 * @param {{make: (item: object) => HTMLElement, update: (element: HTMLElement, item: object) => void}} render
 * @param {HTMLElement|null} [after] the element the first item follows (null: the log's start)
 */
export function placeMessages(log, elements, items, { make, update }, after = null) {
  let previous = after;
  for (const item of items) {
    let element = elements.get(item.key);
    if (element) update(element, item);
    else {
      element = make(item);
      elements.set(item.key, element);
    }
    const expected = previous ? previous.nextSibling : log.firstChild;
    if (element !== expected) log.insertBefore(element, expected);
    previous = element;
  }
}

/**
 * Remove every message.
 * @param {object} view
 */
export function panelClear(view) {
  view.elements.clear();
  view.items = [];
  view.parts.log.textContent = "";
}
