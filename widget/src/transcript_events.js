/**
 * Conversation events in the dashboard's transcript ("Dana resolved this", internal notes),
 * as items placed among the messages: after the newest message at the time they happened.
 * Text only: a note's body is never HTML.
 */

/**
 * Add the event of a `conversation.event` frame to the page's conversation; returns the item.
 * @param {object} page the transcript page
 * @param {object} event {id, kind, actor, detail, created_at, text}
 */
export function eventAdd(page, event) {
  page.eventCount = (page.eventCount || 0) + 1;
  const newest = Math.floor(page.conversation.newestSeq() ?? page.renderedSeq ?? 0);
  // Between the newest message and the next one; later events of that gap after it.
  const seq = newest + 0.5 + page.eventCount / 1e6;
  const key = `e:${event.id ?? page.eventCount}`;
  if (page.conversation.byKey.has(key)) return null;
  return page.conversation.insert({ key, seq, event, mine: false, state: "event" });
}

/**
 * Create the list item of an event item.
 * @param {Document} document
 * @param {object} item
 */
export function eventItemCreate(document, item) {
  const { event } = item;
  const element = document.createElement("li");
  element.className = `event ${String(event.kind || "")}`;
  element.setAttribute("data-key", item.key);
  const meta = document.createElement("div");
  meta.className = "meta";
  const text = document.createElement("span");
  text.className = "event-text";
  text.textContent = String(event.text || "");
  const time = document.createElement("time");
  time.setAttribute("datetime", String(event.created_at || ""));
  time.textContent = String(event.created_at || "").replace("T", " ").replace("Z", " UTC");
  meta.append(text, " ", time);
  element.append(meta);
  if (event.kind === "note") {
    const body = document.createElement("div");
    body.className = "body note-body";
    body.textContent = String(event.detail?.body ?? "");
    element.append(body);
  }
  return element;
}

/**
 * Show a conversation's status on the page's badge.
 * @param {Document} document
 * @param {string} status
 */
export function statusBadgeSet(document, status) {
  const badge = document.getElementById("room-status");
  if (!badge || typeof status !== "string") return;
  badge.textContent = status;
  badge.className = `badge status-${status.replace(/[^a-z]/g, "")}`;
}
