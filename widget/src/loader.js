/**
 * /widget.js, the script a page loads first: defines window.Parlor (replaying calls queued
 * before it loaded), shows the launcher in a shadow root, and loads the app bundle on demand:
 * when the visitor opens the chat, or soon after load for a returning visitor or signed-in
 * user, so that unread messages reach the badge.
 */

import { createApi, drainQueue } from "./api.js";
import { findScript, readScriptConfig } from "./config.js";
import { launcherWord, pickLocale } from "./locale.js";
import { applyLook, attachWhenReady, createLauncher, setLauncherLabel } from "./launcher.js";
import { browserStorage, createStore } from "./storage.js";

// Replaced by the platform's build with the content-hashed path of the app bundle.
const APP_PATH = "__PARLOR_APP_PATH__";
const APP_HOOK = Symbol.for("parlor.app");
const LOADS_APP = ["open", "toggle", "identify"];

function boot(window, document) {
  const previous = window.Parlor;
  if (previous && previous.version) return;
  const config = readScriptConfig(findScript(document));
  if (!config.key) console.error('Parlor: the widget script tag needs data-key="pk_..." (your publishable key).');
  const store = createStore(config.key || "nokey", browserStorage());
  const pending = [];
  let app = null;
  let loading = false;

  const locale = () => pickLocale([config.locale, document.documentElement.lang, window.navigator.language]);
  const { api, emit } = createApi(run);
  const launcher = createLauncher(document, {
    label: launcherWord(locale(), "openChat"),
    onClick: () => api("toggle"),
  });
  applyLook(launcher, store.get("look"));

  function run(command, args) {
    if (app) {
      app.command(command, args);
      return;
    }
    // identify({name, email}) describes the visitor; only identify(token) changes who it is.
    if (command === "identify" && typeof args[0] !== "object") config.token = String(args[0] || "");
    if (command === "setLocale") config.locale = String(args[0] || "");
    if (command === "reset") {
      config.token = "";
      store.clear();
    }
    setLauncherLabel(launcher, launcherWord(locale(), "openChat"), 0);
    pending.push([command, args]);
    if (LOADS_APP.includes(command)) loadApp();
  }

  function loadApp() {
    if (loading) return;
    loading = true;
    window[APP_HOOK] = (start) => {
      delete window[APP_HOOK];
      app = start({ window, document, config, store, launcher, emit });
      for (const [command, args] of pending.splice(0)) app.command(command, args);
    };
    const script = document.createElement("script");
    script.src = config.base + APP_PATH;
    script.async = true;
    script.addEventListener("error", () => {
      loading = false;
      launcher.button.title = launcherWord(locale(), "loadFailed");
    });
    document.head.appendChild(script);
  }

  api.version = "1";
  window.Parlor = api;
  drainQueue(previous, api);
  attachWhenReady(document, launcher.host, () => emit("ready"));
  reopenFromLink(window, store, run);
  if (config.token || store.get("visitor") || store.get("outbox", []).length) whenIdle(window, loadApp);
}

// A follow-up email's link (docs/offline.md) ends in #parlor-reopen=<signed visitor>: open
// the chat, continuing that visitor only in a browser that has none of its own.
function reopenFromLink(window, store, run) {
  const match = /[#&]parlor-reopen=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  if (!store.get("visitor")) store.set("visitor", decodeURIComponent(match[1]));
  window.history.replaceState(null, "", window.location.href.split("#")[0]);
  run("open", []);
}

function whenIdle(window, fn) {
  const idle = window.requestIdleCallback || ((callback) => window.setTimeout(callback, 200));
  idle(() => fn());
}

boot(window, document);
