/** The widget's words in each supported language (the launcher's own come from locale.js). */

import { DEFAULT_LOCALE, LAUNCHER_WORDS } from "./locale.js";

const MESSAGES = {
  en: {
    ...LAUNCHER_WORDS.en,
    title: "Chat with us",
    messages: "Messages",
    placeholder: "Type a message…",
    composerLabel: "Your message",
    send: "Send",
    you: "You",
    agent: "Agent",
    online: "We're online",
    away: "We're away: leave a message and we'll reply soon.",
    awayReply: "We're away: we typically reply in {time}.",
    closed: "We're closed: leave a message and we'll reply.",
    closedUntil: "We're closed. Back {when}.",
    captureEmail: "Nobody is here right now. Leave your email and we'll reply there too.",
    capturePrechat: "Before we start:",
    captureOffline: "We're closed. Leave a message and your email, and we'll reply by email.",
    fieldName: "Name",
    fieldEmail: "Email",
    fieldQuestion: "Your question",
    captureSave: "Save",
    captureSkip: "Skip",
    captureFailed: "That did not work. Check the address and try again.",
    typing: "{name} is typing…",
    sending: "Sending…",
    sent: "Sent",
    read: "Read",
    failed: "Not sent",
    connecting: "Connecting…",
    reconnecting: "Connection lost. Reconnecting…",
    retrying: "Can't reach the chat. Retrying…",
    offline: "You're offline. Messages will be sent when the connection is back.",
    loadingOlder: "Loading earlier messages…",
    tooLong: "That message is too long.",
    fatalKey: "This chat is not set up correctly (unknown or revoked key).",
    fatalOrigin: "This chat is not enabled on this website.",
    fatalRefused: "This chat is not enabled for this website or this key.",
    fatalToken: "Your chat session has expired. Please reload the page.",
    fatalOther: "Chat is unavailable right now.",
    attach: "Send a file",
    uploading: "Sending the file…",
    uploadFailed: "The file could not be sent.",
    fileTooLarge: "That file is too large to send here.",
    fileRefused: "That type of file cannot be sent here.",
    ratePrompt: "How did we do?",
    rateComment: "Anything to add? (optional)",
    rateSend: "Send rating",
    rateChoose: "Choose a score from 1 to 5.",
    rateThanks: "Thanks for your feedback!",
    rateFailed: "Your rating could not be sent. Please try again.",
  },
  es: {
    ...LAUNCHER_WORDS.es,
    title: "Chatea con nosotros",
    messages: "Mensajes",
    placeholder: "Escribe un mensaje…",
    composerLabel: "Tu mensaje",
    send: "Enviar",
    you: "Tú",
    agent: "Agente",
    online: "Estamos en línea",
    away: "Ahora no estamos: deja un mensaje y te responderemos pronto.",
    awayReply: "Ahora no estamos: solemos responder en {time}.",
    closed: "Estamos cerrados: deja un mensaje y te responderemos.",
    closedUntil: "Estamos cerrados. Volvemos el {when}.",
    captureEmail: "Ahora no hay nadie. Déjanos tu email y te responderemos también allí.",
    capturePrechat: "Antes de empezar:",
    captureOffline: "Estamos cerrados. Deja un mensaje y tu email, y te responderemos por email.",
    fieldName: "Nombre",
    fieldEmail: "Email",
    fieldQuestion: "Tu pregunta",
    captureSave: "Guardar",
    captureSkip: "Omitir",
    captureFailed: "No funcionó. Revisa la dirección e inténtalo de nuevo.",
    typing: "{name} está escribiendo…",
    sending: "Enviando…",
    sent: "Enviado",
    read: "Leído",
    failed: "No enviado",
    connecting: "Conectando…",
    reconnecting: "Se perdió la conexión. Reconectando…",
    retrying: "No se puede conectar con el chat. Reintentando…",
    offline: "Sin conexión. Los mensajes se enviarán cuando vuelva la conexión.",
    loadingOlder: "Cargando mensajes anteriores…",
    tooLong: "Ese mensaje es demasiado largo.",
    fatalKey: "Este chat no está bien configurado (clave desconocida o revocada).",
    fatalOrigin: "Este chat no está habilitado en este sitio web.",
    fatalRefused: "Este chat no está habilitado para este sitio web o esta clave.",
    fatalToken: "Tu sesión de chat ha caducado. Vuelve a cargar la página.",
    fatalOther: "El chat no está disponible ahora mismo.",
    attach: "Enviar un archivo",
    uploading: "Enviando el archivo…",
    uploadFailed: "No se pudo enviar el archivo.",
    fileTooLarge: "Ese archivo es demasiado grande para enviarlo aquí.",
    fileRefused: "Ese tipo de archivo no se puede enviar aquí.",
    ratePrompt: "¿Qué tal lo hicimos?",
    rateComment: "¿Algo que añadir? (opcional)",
    rateSend: "Enviar valoración",
    rateChoose: "Elige una puntuación de 1 a 5.",
    rateThanks: "¡Gracias por tu opinión!",
    rateFailed: "No se pudo enviar tu valoración. Inténtalo de nuevo.",
  },
};

/**
 * Return the text for `key` in `locale` with `{name}` placeholders filled from `values`.
 * @param {string} locale
 * @param {string} key
 * @param {Record<string, string|number>} [values]
 * @returns {string}
 */
export function translate(locale, key, values = {}) {
  const table = MESSAGES[locale] || MESSAGES[DEFAULT_LOCALE];
  const text = table[key] ?? MESSAGES[DEFAULT_LOCALE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/**
 * Return the message keys defined for `locale` (empty for an unknown one).
 * @param {string} locale
 */
export function messageKeys(locale) {
  return Object.keys(MESSAGES[locale] || {});
}
