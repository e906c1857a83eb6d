/** What the embedding page tells the widget through its script tag. */

/**
 * Return the widget's script element: the running script, else the first tag with data-key.
 * @param {Document} document
 * @returns {HTMLScriptElement|null}
 */
export function findScript(document) {
  const current = document.currentScript;
  if (current && current.dataset && current.dataset.key) return current;
  return document.querySelector("script[data-key][src*='widget.js']");
}

/**
 * Return {key, token, locale, base} from the script tag; `base` is the platform's URL.
 * @param {HTMLScriptElement|null} script
 */
export function readScriptConfig(script) {
  const data = (script && script.dataset) || {};
  const src = (script && script.src) || "";
  let base = "";
  try {
    base = new URL(".", src).href.replace(/\/$/, "");
  } catch {
    base = "";
  }
  return {
    key: data.key || "",
    token: data.token || "",
    locale: data.locale || "",
    base,
  };
}
