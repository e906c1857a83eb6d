/**
 * The launcher button, in a shadow root that the page's CSS cannot reach (and ours cannot
 * leave). The app bundle later adds its panel to the same root.
 */

export const HOST_TAG = "parlor-widget";

// `!important` inside :host beats any important rule of the page on the host element.
const LAUNCHER_CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;width:0!important;height:0!important;
right:0!important;bottom:0!important;z-index:2147483000!important;visibility:visible!important;opacity:1!important;
transform:none!important;contain:none!important;margin:0!important;padding:0!important}
.root{--parlor-color:#2563eb;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827}
.launcher{position:fixed;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%;border:0;margin:0;padding:0;
background:var(--parlor-color);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;
align-items:center;justify-content:center}
.left .launcher{right:auto;left:20px}
.launcher:focus-visible{outline:3px solid #111827;outline-offset:3px}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;
border-radius:10px;background:#dc2626;color:#fff;font:bold 12px/20px system-ui,sans-serif;text-align:center}
.badge[hidden]{display:none}
`;

const ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

/**
 * Create the host element, its shadow root and the launcher; returns handles to update them.
 * @param {Document} document
 * @param {{label: string, onClick: () => void}} options
 */
export function createLauncher(document, { label, onClick }) {
  const host = document.createElement(HOST_TAG);
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = LAUNCHER_CSS;
  const wrapper = document.createElement("div");
  wrapper.className = "root";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "launcher";
  button.setAttribute("aria-expanded", "false");
  // A constant icon of our own; nothing from the page or the server goes through innerHTML.
  button.innerHTML = ICON;
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.hidden = true;
  button.appendChild(badge);
  button.addEventListener("click", onClick);
  wrapper.appendChild(button);
  root.append(style, wrapper);
  const launcher = { host, root, wrapper, button, badge, label };
  setLauncherLabel(launcher, label, 0);
  return launcher;
}

/**
 * Show `count` unread messages on the badge (hidden at 0) and describe the button.
 * @param {{button: HTMLElement, badge: HTMLElement}} launcher
 * @param {string} label the button's accessible name, e.g. "Open chat"
 * @param {number} count
 * @param {string} [unreadText] e.g. "3 unread"
 */
export function setLauncherLabel(launcher, label, count, unreadText = "") {
  launcher.label = label;
  launcher.badge.textContent = count > 99 ? "99+" : String(count);
  launcher.badge.hidden = count <= 0;
  launcher.button.setAttribute("aria-label", count > 0 ? `${label} (${unreadText})` : label);
}

const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * Apply the tenant's colour (hex only) and side ("left" or else right) to the launcher and panel.
 * @param {{wrapper: HTMLElement}} launcher
 * @param {{color?: string, position?: string}|null} look
 */
export function applyLook(launcher, look) {
  if (!look) return;
  if (HEX_COLOUR.test(look.color || "")) launcher.wrapper.style.setProperty("--parlor-color", look.color);
  launcher.wrapper.classList.toggle("left", look.position === "left");
}

/**
 * Attach `host` to the page's body, now or once the body exists.
 * @param {Document} document
 * @param {HTMLElement} host
 * @param {() => void} done
 */
export function attachWhenReady(document, host, done) {
  if (document.body) {
    document.body.appendChild(host);
    done();
    return;
  }
  document.addEventListener(
    "DOMContentLoaded",
    () => {
      document.body.appendChild(host);
      done();
    },
    { once: true },
  );
}
