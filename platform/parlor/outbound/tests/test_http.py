"""SSRF: under production settings only public https addresses are called, checked when sending."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import override_settings

from parlor.outbound import http
from parlor.outbound.http import OutboundRefused, outbound_post, url_check
from parlor.testing.receivers import Receiver

PRODUCTION = {"OUTBOUND_ALLOW_LOOPBACK": False}
REFUSED_URLS = [
    "https://127.0.0.1/hook",
    "https://10.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://100.100.100.200/hook",  # a cloud metadata address in shared (CGNAT) space
    "https://[fd00:ec2::254]/hook",
    "https://localhost/hook",
    "https://0.0.0.0/hook",
    "http://hooks.example/plain-http",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://user:pass@hooks.example/",
    "not a url",
    "",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_production_refuses_urls_that_are_not_public_https(url):
    with override_settings(PARLOR=PRODUCTION), pytest.raises(OutboundRefused) as refused:
        outbound_post(url=url, body=b"{}", headers={})
    assert refused.value.status == 422


@pytest.mark.parametrize("url", REFUSED_URLS[:10])
def test_registration_refuses_them_too(url):
    with override_settings(PARLOR=PRODUCTION), pytest.raises(OutboundRefused):
        url_check(url)


def test_a_name_resolving_to_loopback_is_refused_when_sending(monkeypatch):
    # Registration cannot know what a name will resolve to; the send checks every address.
    url_check("https://rebind.example/hook")
    monkeypatch.setattr(
        http,
        "resolve",
        lambda host, port: [
            ipaddress.ip_address("93.184.215.14"),
            ipaddress.ip_address("127.0.0.1"),
        ],
    )
    with override_settings(PARLOR=PRODUCTION), pytest.raises(OutboundRefused):
        outbound_post(url="https://rebind.example/hook", body=b"{}", headers={})


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(monkeypatch):
    receiver = Receiver()
    url = receiver.start()
    port = url.split(":")[2].split("/")[0]
    lookups = []

    def resolve_once(host, port):
        lookups.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    real_getaddrinfo = http.socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        # After the check a rebinding resolver would answer something else: it is never asked.
        assert host != "receiver.test", "the name was resolved a second time"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(http, "resolve", resolve_once)
    monkeypatch.setattr(http.socket, "getaddrinfo", getaddrinfo)
    try:
        with override_settings(PARLOR={"OUTBOUND_ALLOW_LOOPBACK": True}):
            response = outbound_post(
                url=f"http://receiver.test:{port}/hooks", body=b"{}", headers={}
            )
    finally:
        receiver.stop()
    assert response.status == 200 and lookups == ["receiver.test"]
    assert receiver.requests[0].headers["Host"] == f"receiver.test:{port}"


def test_loopback_http_is_allowed_only_when_the_setting_says_so():
    receiver = Receiver()
    url = receiver.start()
    try:
        with override_settings(PARLOR={"OUTBOUND_ALLOW_LOOPBACK": True}):
            assert outbound_post(url=url, body=b"{}", headers={}).status == 200
        with override_settings(PARLOR=PRODUCTION), pytest.raises(OutboundRefused):
            outbound_post(url=url, body=b"{}", headers={})
    finally:
        receiver.stop()
    assert len(receiver.requests) == 1


def test_redirects_are_not_followed_and_bodies_are_cut_at_64_kib():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(1024 * 1024))
            self.end_headers()
            self.wfile.write(b"x" * 1024 * 1024)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with override_settings(PARLOR={"OUTBOUND_ALLOW_LOOPBACK": True}):
            assert outbound_post(url=f"{base}/redirect", body=b"", headers={}).status == 302
            big = outbound_post(url=f"{base}/big", body=b"", headers={})
    finally:
        server.shutdown()
        server.server_close()
    assert len(big.body) == 64 * 1024
