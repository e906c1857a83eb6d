"""A stand-in customer website on its own origin, embedding the widget with one script tag."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Demo Shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: Georgia, serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem;">
<h1>Demo Shop</h1>
<p>This page stands for a Parlor customer's website. It is served from its own origin
({origin}) and embeds the chat widget from the platform ({platform}) with one tag:</p>
<pre style="white-space: pre-wrap">
&lt;script src="{platform}/widget.js" data-key="{key}" async&gt;&lt;/script&gt;</pre>
<p>Agents answer in the demo tenant's dashboard,
linked from <a href="{platform}/">{platform}/</a>.</p>
<p>
  <button type="button" onclick="Parlor('open')">Open the chat</button>
  <button type="button" onclick="Parlor('setLocale', 'es')">Español</button>
  <button type="button" onclick="Parlor('setLocale', 'en')">English</button>
  <button type="button"
    onclick="Parlor('identify', {{name: 'Ana Demo', email: 'ana@example.com'}})">I am Ana</button>
  <button type="button" onclick="Parlor('reset')">Forget me</button>
</p>
<p id="unread" aria-live="polite"></p>
<script>
  window.Parlor = window.Parlor || function () {{ (Parlor.q = Parlor.q || []).push(arguments); }};
  Parlor("on", "unread", function (event) {{
    document.getElementById("unread").textContent =
      event.count ? event.count + " unread message(s) in the chat" : "";
  }});
</script>
<script src="{platform}/widget.js" data-key="{key}" async></script>
</body>
</html>
"""


def demo_page(*, platform_url: str, publishable_key: str, origin: str) -> bytes:
    """Return the demo customer page's HTML embedding the widget for `publishable_key`."""
    return PAGE.format(
        platform=html.escape(platform_url),
        key=html.escape(publishable_key),
        origin=html.escape(origin),
    ).encode()


def serve_demo_site(*, host: str, port: int, page: bytes) -> ThreadingHTTPServer:
    """Serve `page` at every path on host:port from a daemon thread; return the server."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="demo-site").start()
    return server
