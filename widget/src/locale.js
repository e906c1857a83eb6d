/**
 * The choice of language, and the few words the launcher needs before the app has loaded
 * (kept here so that /widget.js stays small; i18n.js holds the rest).
 */

export const DEFAULT_LOCALE = "en";

export const LAUNCHER_WORDS = {
  en: {
    openChat: "Open chat",
    closeChat: "Close chat",
    unread: "{count} unread",
    loadFailed: "The chat could not be loaded.",
  },
  es: {
    openChat: "Abrir chat",
    closeChat: "Cerrar chat",
    unread: "{count} sin leer",
    loadFailed: "No se pudo cargar el chat.",
  },
};

/**
 * Return the first supported language among `candidates` (e.g. "es-MX" gives "es"), else "en".
 * @param {Array<string|undefined|null>} candidates
 * @returns {string}
 */
export function pickLocale(candidates) {
  for (const candidate of candidates) {
    const language = String(candidate || "").toLowerCase().split(/[-_]/)[0];
    if (Object.hasOwn(LAUNCHER_WORDS, language)) return language;
  }
  return DEFAULT_LOCALE;
}

/**
 * Return the launcher's word `key` in `locale`.
 * @param {string} locale
 * @param {string} key
 */
export function launcherWord(locale, key) {
  return (LAUNCHER_WORDS[locale] || LAUNCHER_WORDS[DEFAULT_LOCALE])[key];
}
