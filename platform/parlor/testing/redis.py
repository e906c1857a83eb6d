"""A Redis for tests: REDIS_URL, else the local default, else a redis-server started here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    """Return True if a Redis server at `url` answers PING within `timeout` seconds."""
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout
        ) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis_server(
    timeout: float = 10.0, port: int | None = None
) -> tuple[str, subprocess.Popen] | None:
    """Start a throwaway redis-server from PATH; return its URL and process, or None if absent.

    `port` restarts one on the port of a server a test stopped (fault drills)."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if redis_answers(url):
            return url, process
        time.sleep(0.05)
    process.kill()
    return None


def configured_redis_url() -> str:
    """Return REDIS_URL from the environment, or the local default."""
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def redis_url_with_db(url: str, db: int) -> str:
    """Return `url` pointing at Redis database `db`, so a test keeps to its own index."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))
