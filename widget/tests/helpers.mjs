// Test doubles for the widget's unit tests: a clock, a WebSocket, Storage and a tiny DOM.
// The real browser, socket and server are exercised by the browser tests (test_*.py).

/** A manual clock: setTimeout/clearTimeout/now driven by tick(ms). */
export function createClock(start = Date.parse("2030-01-01T00:00:00Z")) {
  let now = start;
  let nextId = 1;
  const timers = new Map();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    pending() {
      return [...timers.values()].map((timer) => timer.at - now).sort((a, b) => a - b);
    },
    async tick(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}

/** Let pending promise callbacks run. */
export async function settle() {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** A WebSocket double recording what the client sends; the test plays the server. */
export function createSocketFactory() {
  const sockets = [];
  class FakeSocket {
    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.sent = [];
      this.listeners = {};
      this.closedWith = null;
      sockets.push(this);
    }
    addEventListener(type, fn) {
      (this.listeners[type] ||= []).push(fn);
    }
    send(data) {
      if (this.closedWith !== null) throw new Error("send on a closed socket");
      this.sent.push(JSON.parse(data));
    }
    close(code = 1000) {
      this.closedWith = code;
    }
    /** The server sends `frame`. */
    receive(frame) {
      for (const fn of this.listeners.message || []) fn({ data: JSON.stringify(frame) });
    }
    /** The server (or the network) closes the socket with `code`. */
    drop(code = 1006) {
      this.closedWith = code;
      for (const fn of this.listeners.close || []) fn({ code });
    }
    frames(type) {
      return this.sent.filter((frame) => frame.type === type);
    }
  }
  return { FakeSocket, sockets, last: () => sockets[sockets.length - 1] };
}

/** A Storage double (the Web Storage interface). */
export function createMemoryStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return {
    get length() {
      return data.size;
    },
    key: (index) => [...data.keys()][index] ?? null,
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => data.set(key, String(value)),
    removeItem: (key) => data.delete(key),
    clear: () => data.clear(),
    keys: () => [...data.keys()],
  };
}

/** A DOM just big enough for render code; innerHTML throws so tests prove it is not used. */
export function createDocument() {
  class Node {
    constructor(nodeType) {
      this.nodeType = nodeType;
      this.childNodes = [];
      this.parentNode = null;
    }
    get children() {
      return this.childNodes.filter((node) => node.nodeType === 1);
    }
    get firstChild() {
      return this.childNodes[0] || null;
    }
    get nextSibling() {
      const siblings = this.parentNode ? this.parentNode.childNodes : [];
      return siblings[siblings.indexOf(this) + 1] || null;
    }
    appendChild(node) {
      return this.insertBefore(node, null);
    }
    append(...nodes) {
      for (const node of nodes) this.appendChild(typeof node === "string" ? new Text(node) : node);
    }
    remove() {
      if (this.parentNode) this.parentNode.childNodes.splice(this.parentNode.childNodes.indexOf(this), 1);
      this.parentNode = null;
    }
    insertBefore(node, reference) {
      if (node.parentNode) node.parentNode.childNodes.splice(node.parentNode.childNodes.indexOf(node), 1);
      const index = reference ? this.childNodes.indexOf(reference) : this.childNodes.length;
      this.childNodes.splice(index, 0, node);
      node.parentNode = this;
      return node;
    }
    get textContent() {
      return this.nodeType === 3 ? this.data : this.childNodes.map((node) => node.textContent).join("");
    }
    set textContent(value) {
      if (this.nodeType === 3) this.data = String(value);
      else {
        this.childNodes = [];
        if (value !== "") this.appendChild(new Text(String(value)));
      }
    }
  }
  class Text extends Node {
    constructor(data) {
      super(3);
      this.data = data;
    }
  }
  class Element extends Node {
    constructor(tagName) {
      super(1);
      this.tagName = tagName.toUpperCase();
      this.attributes = new Map();
      this.className = "";
    }
    setAttribute(name, value) {
      this.attributes.set(name, String(value));
    }
    getAttribute(name) {
      return this.attributes.has(name) ? this.attributes.get(name) : null;
    }
    set innerHTML(_value) {
      throw new Error("innerHTML must not be used for message content");
    }
    querySelectorAll(tagName) {
      const found = [];
      const walk = (node) => {
        for (const child of node.children) {
          if (child.tagName === tagName.toUpperCase()) found.push(child);
          walk(child);
        }
      };
      walk(this);
      return found;
    }
  }
  return {
    createElement: (tagName) => new Element(tagName),
    createTextNode: (data) => new Text(String(data)),
  };
}
