/** The live inbox list: one row per conversation, text only, in the order the server sent. */

/**
 * Show `rows` (inbox.json's conversations) in `list`, reusing each room's element.
 * @param {Document} document
 * @param {HTMLElement} list
 * @param {object[]} rows
 */
export function inboxRender(document, list, rows) {
  const existing = new Map();
  for (const element of list.querySelectorAll("li[data-room]")) existing.set(element.dataset.room, element);
  list.querySelector(".empty")?.remove();
  let previous = null;
  for (const row of rows) {
    const element = existing.get(row.id) || document.createElement("li");
    existing.delete(row.id);
    inboxRowFill(document, element, row);
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (element !== expected) list.insertBefore(element, expected);
    previous = element;
  }
  for (const gone of existing.values()) gone.remove();
  if (!rows.length) {
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = "Nothing here. New conversations appear as soon as a visitor writes.";
    list.append(empty);
  }
}

function inboxRowFill(document, element, row) {
  element.dataset.room = row.id;
  element.dataset.unread = String(row.unread);
  const link = document.createElement("a");
  link.href = row.url;
  const title = inboxSpan(document, "room-title", row.title);
  const badge = inboxSpan(document, `badge status-${String(row.status).replace(/[^a-z]/g, "")}`, row.status);
  const time = document.createElement("time");
  time.setAttribute("datetime", row.last_activity_at || "");
  time.textContent = `${String(row.last_activity_at || "").replace("T", " ").slice(0, 16)} UTC`;
  link.append(title, badge);
  if (row.unread > 0) {
    const unread = inboxSpan(document, "unread", String(row.unread));
    unread.setAttribute("aria-label", `${row.unread} unread`);
    link.append(unread);
  }
  link.append(time);
  const preview = inboxSpan(document, row.preview ? "preview" : "preview muted", "");
  if (row.preview) {
    const who = document.createElement("strong");
    who.textContent = `${row.sender}:`;
    preview.append(who, ` ${row.preview}`);
  } else preview.textContent = "No messages yet.";
  link.append(preview);
  element.replaceChildren(link);
}

function inboxSpan(document, className, text) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text;
  return span;
}
