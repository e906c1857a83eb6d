/**
 * What an agent's dashboard tells the other side: availability (online or away), typing,
 * and read positions (the widget then shows the visitor's message as "Read").
 */

const TYPING_RESEND = 3000;
const TYPING_IDLE = 4000;

/**
 * Send the agent's chosen availability whenever the select `#availability` changes.
 * @param {object} client a ChatClient
 * @param {Document} document
 */
export function availabilityBind(client, document) {
  const select = document.getElementById("availability");
  if (!select) return;
  select.addEventListener("change", () => {
    client.connection.send({ type: "availability", status: select.value, id: "availability" });
  });
}

/**
 * Send `typing` while the agent types in `textarea` (again every few seconds), and stop
 * after a pause or when the reply is sent.
 * @param {object} page the transcript page (see dashboard.js)
 */
export function typingBind(page) {
  const timers = page.document.defaultView;
  let lastSent = 0;
  let idle = null;
  const stop = () => {
    if (lastSent) page.client.typing(page.room, false);
    lastSent = 0;
  };
  page.textarea.addEventListener("input", () => {
    const now = Date.now();
    if (!page.textarea.value.trim()) return stop();
    if (now - lastSent > TYPING_RESEND && page.client.typing(page.room, true) !== false) lastSent = now;
    timers.clearTimeout(idle);
    idle = timers.setTimeout(stop, TYPING_IDLE);
  });
  page.stopTyping = stop;
}

/**
 * Tell the room the agent has read up to the newest message shown, when the page is seen.
 * @param {object} page
 */
export function readSignal(page) {
  const { document } = page;
  if (document.visibilityState === "hidden") return;
  const newest = page.client.lastSeq(page.room);
  if (!Number.isInteger(newest) || newest <= (page.readSent || 0)) return;
  if (page.client.read(page.room, newest) !== false) page.readSent = newest;
}
