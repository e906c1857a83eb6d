/**
 * What the header says about availability when no agent is in the room: the server's status
 * (docs/offline.md), "away, typically replies in …" or "closed, back <when>" in the tenant's
 * timezone.
 */

import { translate } from "./i18n.js";

/**
 * Return the header's words for the server's `status` in `locale`.
 * @param {string} locale
 * @param {{state: string, reply_time?: string, next_open?: string|null, timezone?: string}} status
 */
export function availabilityText(locale, status) {
  if (status.state === "online") return translate(locale, "online");
  if (status.state === "closed") {
    const when = status.next_open ? openingTime(locale, status) : "";
    return when ? translate(locale, "closedUntil", { when }) : translate(locale, "closed");
  }
  const time = typeof status.reply_time === "string" ? status.reply_time : "";
  return time ? translate(locale, "awayReply", { time }) : translate(locale, "away");
}

/**
 * Return the next opening as weekday and time in the tenant's timezone, e.g. "Monday 09:00".
 * @param {string} locale
 * @param {{next_open: string, timezone?: string}} status
 */
export function openingTime(locale, status) {
  const moment = new Date(status.next_open);
  if (Number.isNaN(moment.getTime())) return "";
  const options = { weekday: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: status.timezone }).format(moment);
  } catch {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(moment) + " UTC";
  }
}
