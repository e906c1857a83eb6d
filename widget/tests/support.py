"""Support for the widget's browser tests: customer pages, a cuttable TCP proxy in front of the
platform, headless Chromium, an agent speaking the protocol, and the widget as seen in the DOM."""

from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from parlor.env import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
]


def browser_missing_reason() -> str | None:
    """Return why the browser tests cannot run here, or None when they can."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(Path(path).name)):
            return f"{path} is missing (apt-get install chromium chromium-driver; `make test` does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[dev])"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip with `reason`, or fail under CI=true where nothing may be skipped."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must not skip the browser tests")
    pytest.skip(reason)


class PageServer:
    """Serves HTML pages from a dict (path -> html) on its own origin, from a daemon thread."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = pages.get(self.path.split("?", 1)[0])
                body = (page or "not found").encode()
                self.send_response(200 if page is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def customer_page(
    *, platform_url: str, key: str, attributes: str = "", head: str = "", body: str = ""
) -> str:
    """Return a customer's page embedding the widget with one script tag."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Customer shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{head}</head>
<body><h1>Customer shop</h1>{body}
<script src="{html.escape(platform_url)}/widget.js" data-key="{html.escape(key)}" {attributes}
 async></script>
</body></html>"""


class TcpProxy:
    """A TCP relay in front of the platform that a test can cut (the server "drops" every
    socket at once) and hold (new connections are closed at once) to simulate an outage."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.target_port: int | None = None
        self.open = threading.Event()
        self.open.set()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        """Close every relayed connection now."""
        with self.lock:
            doomed, self.sockets = self.sockets, set()
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def hold(self) -> None:
        """Refuse new connections (accepted, then closed at once) until release()."""
        self.open.clear()

    def release(self) -> None:
        """Relay new connections again."""
        self.open.set()

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()

    def _accept_loop(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open.is_set() or self.target_port is None:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def chromium(user_data_dir: Path, *, width: int = 1280, height: int = 900):
    """Start headless Debian Chromium through Debian's chromedriver (nothing is downloaded)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_script_timeout(20)
    return driver


def wait_until(condition: Callable[[], Any], message: str, timeout: float = 15.0) -> Any:
    """Poll `condition` until it returns something truthy; fail with `message` otherwise."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{message} (last value: {last!r})")


WIDGET_STATE = """
const host = document.querySelector("parlor-widget");
if (!host || !host.shadowRoot) return null;
const root = host.shadowRoot;
const q = (selector) => root.querySelector(selector);
const shown = (element) => Boolean(element) && !element.hidden;
const panel = q(".panel");
return {
  loaded: Boolean(panel),
  open: shown(panel),
  status: shown(q(".status")) ? q(".status").textContent : "",
  fatal: Boolean(q(".status.fatal")) && shown(q(".status")),
  badge: shown(q(".badge")) ? q(".badge").textContent : "",
  launcherLabel: q(".launcher").getAttribute("aria-label"),
  title: panel ? q("h2").textContent : "",
  presence: panel ? q(".presence").textContent : "",
  typing: shown(q(".typing")) ? q(".typing").textContent : "",
  greeting: shown(q(".greeting")) ? q(".greeting").textContent : "",
  messages: [...root.querySelectorAll(".log .message")].map((li) => ({
    body: li.querySelector(".body").textContent,
    html: li.querySelector(".body").innerHTML,
    sender: li.querySelector(".sender").textContent,
    mine: li.classList.contains("mine"),
    state: li.dataset.state,
    seq: li.dataset.seq ? Number(li.dataset.seq) : null,
    stateText: li.querySelector(".state").textContent,
  })),
};
"""


class Widget:
    """The widget on a page, read and driven the way a visitor would."""

    def __init__(self, driver, key: str) -> None:
        self.driver = driver
        self.key = key

    def state(self) -> dict | None:
        return self.driver.execute_script(WIDGET_STATE)

    def find(self, selector: str):
        host = self.driver.find_element("css selector", "parlor-widget")
        return host.shadow_root.find_element("css selector", selector)

    def wait(self, condition: Callable[[dict], Any], message: str, timeout: float = 15.0):
        return wait_until(
            lambda: (s := self.state()) is not None and condition(s), message, timeout
        )

    def open(self) -> None:
        self.wait(lambda s: s["launcherLabel"], "the launcher is on the page")
        self.find(".launcher").click()
        self.wait(lambda s: s["open"], "the panel opens")

    def connected(self, timeout: float = 20.0) -> dict:
        return self.wait(lambda s: s["loaded"] and not s["status"], "the widget connects", timeout)

    def type(self, text: str) -> None:
        self.find("textarea.compose").send_keys(text)

    def send(self, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        self.type(text)
        self.find("textarea.compose").send_keys(Keys.ENTER)

    def bodies(self) -> list[str]:
        return [message["body"] for message in (self.state() or {"messages": []})["messages"]]

    def storage(self, name: str) -> Any:
        raw = self.driver.execute_script(
            "return localStorage.getItem(arguments[0]);", f"parlor:{self.key}:{name}"
        )
        return None if raw is None else json.loads(raw)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


class Agent:
    """An agent of the tenant speaking the WebSocket protocol directly (not through the proxy)."""

    def __init__(self, ws_url: str, token: str) -> None:
        from websockets.sync.client import connect

        self.exit_stack = contextlib.ExitStack()
        self.socket = self.exit_stack.enter_context(
            connect(ws_url, subprotocols=["parlor.v1", f"parlor.token.{token}"])
        )
        self.frames: list[dict] = []
        self.condition = threading.Condition()
        self.counter = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.hello = self.wait_for(lambda f: f["type"] == "hello")

    def _read(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                text = self.socket.recv()
                with self.condition:
                    self.frames.append(json.loads(text))
                    self.condition.notify_all()

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    types = [f["type"] for f in self.frames[-10:]]
                    raise AssertionError(f"the agent never got the frame; last types {types}")
                self.condition.wait(remaining)

    def request(self, frame: dict) -> dict:
        self.counter += 1
        frame_id = f"agent-{self.counter}"
        self.socket.send(json.dumps({**frame, "id": frame_id}))
        return self.wait_for(lambda f: f.get("re") == frame_id)

    def join(self, room: str) -> dict:
        answer = self.request({"type": "join", "room": room})
        assert answer["type"] == "joined", answer
        return answer

    def say(self, room: str, body: str) -> dict:
        self.counter += 1
        answer = self.request(
            {"type": "send", "room": room, "body": body, "client_msg_id": f"a-{time.time_ns()}"}
        )
        assert answer["type"] == "ack", answer
        return answer

    def send(self, frame: dict) -> None:
        self.socket.send(json.dumps(frame))

    def all_messages(self, room: str) -> list[dict]:
        answer = self.request({"type": "history", "room": room, "after": 0, "limit": 100})
        assert answer["type"] == "history", answer
        return answer["messages"]

    def close(self) -> None:
        self.exit_stack.close()


# A page script (the test's own page) that records what the widget does on the network.
COUNTERS = """<script>
window.__seen = { sockets: [], sessions: 0, events: [] };
(function () {
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url, protocols) {
      super(url, protocols);
      window.__seen.sockets.push({ url: String(url), protocols: protocols });
    }
  };
  const nativeFetch = window.fetch;
  window.fetch = function (input) {
    if (String(input).includes("/api/v1/widget/sessions")) window.__seen.sessions += 1;
    return nativeFetch.apply(this, arguments);
  };
})();
</script>"""


def seen(driver) -> dict:
    """Return what COUNTERS recorded: sockets opened, session requests, page events."""
    return driver.execute_script("return window.__seen;")


def conversation_of(widget: Widget) -> str:
    """Return the conversation room the widget joined."""
    return wait_until(lambda: widget.storage("room"), "the widget knows its conversation")


def start_conversation(widget: Widget, text: str = "Hi!") -> str:
    """Send the visitor's first message (which creates the conversation); return the room."""
    widget.send(text)
    widget.wait(
        lambda s: any(m["body"] == text and m["state"] == "sent" for m in s["messages"]),
        "the first message is stored",
    )
    return conversation_of(widget)
