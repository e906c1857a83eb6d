/**
 * Namespaced JSON storage: every key the widget writes starts with "parlor:<publishable key>:".
 * Falls back to memory when the page forbids localStorage (privacy modes, sandboxed frames).
 */

export const STORAGE_PREFIX = "parlor:";

/**
 * Return a store whose keys live under `parlor:<namespace>:` in `backend` (or in memory).
 * @param {string} namespace
 * @param {Storage|null} backend
 */
export function createStore(namespace, backend) {
  const prefix = `${STORAGE_PREFIX}${namespace}:`;
  const memory = new Map();
  const usable = backend && probe(backend, prefix);
  return {
    prefix,
    /** Return the parsed value stored under `name`, or `fallback`. */
    get(name, fallback = null) {
      const raw = usable ? backend.getItem(prefix + name) : memory.get(name);
      if (raw == null) return fallback;
      try {
        return JSON.parse(raw);
      } catch {
        return fallback;
      }
    },
    /** Store `value` (JSON) under `name`; storage errors (quota) are ignored. */
    set(name, value) {
      const raw = JSON.stringify(value);
      memory.set(name, raw);
      if (!usable) return;
      try {
        backend.setItem(prefix + name, raw);
      } catch {
        // Quota exceeded: the in-memory copy keeps this page working.
      }
    },
    /** Forget `name`. */
    remove(name) {
      memory.delete(name);
      if (usable) backend.removeItem(prefix + name);
    },
    /** Forget every key of this namespace. */
    clear() {
      memory.clear();
      if (!usable) return;
      const keys = [];
      for (let index = 0; index < backend.length; index += 1) keys.push(backend.key(index));
      for (const key of keys) if (key && key.startsWith(prefix)) backend.removeItem(key);
    },
  };
}

function probe(backend, prefix) {
  try {
    backend.setItem(`${prefix}probe`, "1");
    backend.removeItem(`${prefix}probe`);
    return true;
  } catch {
    return false;
  }
}

/** Return window.localStorage, or null where reading it throws (blocked storage). */
export function browserStorage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null;
  }
}
