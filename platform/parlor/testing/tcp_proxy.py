"""A TCP proxy a drill can cut: a service that refuses connections, without stopping it.

The machine's PostgreSQL is shared with other sessions, so a drill never stops it: the
processes under test reach it through this proxy instead, and `cut()` makes it look down
(every open connection dropped, every new one refused) until `restore()`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

from parlor.testing.redis import free_port

BUFFER_BYTES = 65536
ACCEPT_POLL_SECONDS = 0.1


class TcpProxy:
    """Forward 127.0.0.1:`port` to `target` (host and port, or a Unix socket's path)."""

    def __init__(self, target: tuple[str, int] | str) -> None:
        self.target = target
        self.port = free_port()
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.accepting = threading.Event()

    def start(self) -> None:
        """Listen on `port` and forward whatever connects (again after a cut)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        # accept() with a timeout, as closing a socket does not wake a thread blocked on it.
        listener.settimeout(ACCEPT_POLL_SECONDS)
        self.listener = listener
        self.accepting.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and drop every open one, as a crashed server would."""
        self.accepting.clear()
        if self.listener is not None:
            # shutdown() stops listening at once (Linux); close() alone would wait until the
            # accepting thread lets go of the socket, accepting and resetting until then.
            _close(self.listener)
            self.listener = None
        with self.lock:
            connections, self.connections = self.connections, set()
        for sock in connections:
            _close(sock)

    restore = start

    def stop(self) -> None:
        """Cut for good."""
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while self.accepting.is_set() and listener is self.listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = _connect(self.target)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            # No Nagle: a query's small packets would otherwise wait for the peer's delayed ACK.
            for sock in (client, upstream):
                if sock.family != socket.AF_UNIX:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(BUFFER_BYTES):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with self.lock:
                self.connections -= {source, sink}
            _close(source)
            _close(sink)


def _connect(target: tuple[str, int] | str) -> socket.socket:
    if isinstance(target, str):
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.settimeout(5)
        upstream.connect(target)
        return upstream
    return socket.create_connection(target, timeout=5)


def database_proxy(url: str) -> tuple[TcpProxy, str]:
    """Return a started proxy to the PostgreSQL of `url`, and `url` through that proxy."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    # A Unix socket directory as the host (?host=/run/postgresql): the server's socket file.
    socket_dir = query.pop("host", [""])[0]
    port = parts.port or 5432
    target = f"{socket_dir}/.s.PGSQL.{port}" if socket_dir.startswith("/") else None
    proxy = TcpProxy(target or (parts.hostname or "127.0.0.1", port))
    proxy.start()
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    return proxy, parts._replace(netloc=netloc, query=urlencode(query, doseq=True)).geturl()


def _close(sock: socket.socket) -> None:
    # shutdown() wakes the pump thread blocked in recv() on this socket; close() alone would not.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
