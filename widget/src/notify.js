/** The agent's attention: the tab title's unread count, browser notifications, a short sound. */

const SOUND_KEY = "parlor.inbox.sound";

/**
 * Show `count` unread messages in the tab title ("(3) Conversations · …"), or none.
 * @param {Document} document
 * @param {number} count
 */
export function titleCount(document, count) {
  const base = document.title.replace(/^\(\d+\)\s*/, "");
  document.title = count > 0 ? `(${count}) ${base}` : base;
}

/**
 * Ask for permission to notify (from a click, as browsers require).
 * @param {Window} window
 */
export async function notifyPermissionAsk(window) {
  if (!("Notification" in window) || window.Notification.permission !== "default") return;
  await window.Notification.requestPermission();
}

/**
 * Notify the agent of a visitor's message (`title`, `body` as text), if allowed; play the
 * sound if the agent switched it on.
 * @param {Window} window
 * @param {string} title
 * @param {string} body
 * @param {string} url opened when the notification is clicked
 */
export function notifyAgent(window, title, body, url) {
  if (soundWanted(window)) soundPlay(window);
  if (!("Notification" in window) || window.Notification.permission !== "granted") return;
  const note = new window.Notification(title, { body: body.slice(0, 140), tag: url });
  note.onclick = () => {
    window.focus();
    window.location.assign(url);
  };
}

/** Return whether the agent switched the sound on (kept in this browser). */
export function soundWanted(window) {
  try {
    return window.localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false;
  }
}

/** Keep the agent's sound choice in this browser. */
export function soundChoose(window, on) {
  try {
    window.localStorage.setItem(SOUND_KEY, on ? "on" : "off");
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}

function soundPlay(window) {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  const context = new Context();
  const tone = context.createOscillator();
  const gain = context.createGain();
  tone.frequency.value = 880;
  gain.gain.value = 0.08;
  tone.connect(gain).connect(context.destination);
  tone.start();
  tone.stop(context.currentTime + 0.15);
  tone.onended = () => context.close();
}
