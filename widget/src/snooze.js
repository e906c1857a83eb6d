/**
 * The snooze form in the agent's own time: the agent picks a local date and time, and the
 * browser sends it as UTC (`snoozed_until_utc`). Without this script the server reads the
 * picked time as UTC, and the label says so.
 */

const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Convert a `datetime-local` value (the browser's own time zone) to an ISO 8601 UTC string;
 * returns "" for a value that is not a real local time.
 * @param {string} value e.g. "2026-07-15T09:00"
 * @returns {string} e.g. "2026-07-15T07:00:00.000Z" in Europe/Paris
 */
export function localToUtc(value) {
  const match = LOCAL_DATETIME.exec(String(value ?? ""));
  if (!match) return "";
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(year, month - 1, day, hour, minute, second);
  // Date rolls 31 February over to March: a day or hour that moved was not a real one.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) {
    return "";
  }
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

/**
 * Make the snooze form send UTC and name the agent's time zone in its label.
 * @param {Document} document
 */
export function snoozeBind(document) {
  const input = document.getElementById("snooze-until");
  const form = input?.form;
  if (!form) return;
  const zone = document.getElementById("snooze-zone");
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) zone.textContent = name ? `your time, ${name}` : "your time";
  const utc = document.createElement("input");
  utc.type = "hidden";
  utc.name = "snoozed_until_utc";
  form.append(utc);
  form.addEventListener("submit", () => {
    utc.value = localToUtc(input.value);
  });
}
