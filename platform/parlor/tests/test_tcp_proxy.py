"""The drills' TCP proxy (parlor/testing/tcp_proxy.py): forwards, cuts, restores."""

from __future__ import annotations

import socket
import socketserver
import threading

import pytest

from parlor.testing.tcp_proxy import TcpProxy, database_proxy


class Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(1024):
            self.request.sendall(data)


@pytest.fixture
def echo_port():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def round_trip(port: int, payload: bytes = b"ping") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        return sock.recv(1024)


def test_forwards_then_refuses_and_drops_while_cut_then_forwards_again(echo_port):
    proxy = TcpProxy(("127.0.0.1", echo_port))
    proxy.start()
    try:
        assert round_trip(proxy.port) == b"ping"
        held = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        held.sendall(b"one")
        assert held.recv(1024) == b"one"

        proxy.cut()
        assert held.recv(1024) == b""  # the open connection is dropped
        held.close()
        with pytest.raises(ConnectionRefusedError):
            round_trip(proxy.port)

        proxy.restore()
        assert round_trip(proxy.port, b"back") == b"back"
    finally:
        proxy.stop()


@pytest.mark.parametrize(
    ("url", "target", "rest"),
    [
        ("postgresql://postgres@db.example:5433/parlor", ("db.example", 5433), "/parlor"),
        ("postgresql://u:p%40ss@/parlor?host=/run/pg", "/run/pg/.s.PGSQL.5432", "/parlor"),
    ],
)
def test_database_proxy_rewrites_the_url_to_go_through_it(url, target, rest):
    proxy, proxied = database_proxy(url)
    try:
        assert proxy.target == target
        credentials = url.split("//")[1].split("@")[0]
        assert proxied == f"postgresql://{credentials}@127.0.0.1:{proxy.port}{rest}"
    finally:
        proxy.stop()
