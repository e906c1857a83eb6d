/**
 * window.Parlor: the page's handle on the widget. Works as `Parlor("open")` and as
 * `Parlor.open()`; calls made before the script loaded (through the one-line stub in
 * widget/README.md) wait in `Parlor.q` and run, in order, once it has.
 */

export const COMMANDS = ["open", "close", "toggle", "identify", "reset", "setLocale"];
export const EVENTS = ["ready", "open", "close", "message", "unread"];

/**
 * Return {api, emit}: `api` is the Parlor function; `emit(event, payload)` calls listeners.
 * @param {(command: string, args: any[]) => void} run receives every command
 * @returns {{api: Function, emit: (event: string, payload?: any) => void}}
 */
export function createApi(run) {
  const listeners = new Map(EVENTS.map((event) => [event, new Set()]));
  let ready = false;

  function Parlor(command, ...args) {
    if (command === "on") return on(...args);
    if (command === "off") return off(...args);
    if (!COMMANDS.includes(command)) {
      console.warn(`Parlor: unknown command "${command}"; use one of ${COMMANDS.join(", ")}, on, off.`);
      return undefined;
    }
    run(command, args);
    return undefined;
  }

  function on(event, listener) {
    if (!listeners.has(event) || typeof listener !== "function") {
      console.warn(`Parlor.on: unknown event "${event}" or missing listener; events: ${EVENTS.join(", ")}.`);
      return () => {};
    }
    listeners.get(event).add(listener);
    // "ready" happens once; a listener added afterwards still hears it.
    if (event === "ready" && ready) setTimeout(() => listener());
    return () => off(event, listener);
  }

  function off(event, listener) {
    listeners.get(event)?.delete(listener);
  }

  for (const command of COMMANDS) Parlor[command] = (...args) => Parlor(command, ...args);
  Parlor.on = on;
  Parlor.off = off;

  function emit(event, payload) {
    if (event === "ready") ready = true;
    for (const listener of listeners.get(event) || []) {
      try {
        listener(payload);
      } catch (error) {
        // A failing page listener must not break the widget; report it without stopping.
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  return { api: Parlor, emit };
}

/**
 * Run the calls a page queued on the stub `previous` (its `q` of argument lists) through `api`.
 * @param {any} previous the value window.Parlor had before the loader ran
 * @param {Function} api
 */
export function drainQueue(previous, api) {
  const queue = previous && Array.isArray(previous.q) ? previous.q : [];
  for (const args of queue) api(...Array.from(args));
}
