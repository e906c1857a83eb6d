"""Builds the command line of Parlor's ASGI server, for `make run`, the tests, the benchmark and
the production image alike (issue 11: the server you test is the server you ship)."""

from __future__ import annotations

import sys

UVICORN = "uvicorn"
DAPHNE = "daphne"
SERVERS = (UVICORN, DAPHNE)

# Twice the consumer's FRAME_MAX_BYTES: larger frames never reach Python at all.
WEBSOCKET_MAX_BYTES = 65536
# An idle keep-alive HTTP connection is closed after this long.
KEEP_ALIVE_TIMEOUT_SECONDS = 5
# Server pings keep idle sockets alive through proxies and find dead peers.
WEBSOCKET_PING_INTERVAL_SECONDS = 20
WEBSOCKET_PING_TIMEOUT_SECONDS = 20
# Daphne only: a handshake that does not complete in this long is dropped.
WEBSOCKET_CONNECT_TIMEOUT_SECONDS = 10

APPLICATION = "parlor.asgi:application"
HTTP_PROTOCOL = "parlor.serving.protocols:GuardedHttpToolsProtocol"
WEBSOCKET_PROTOCOL = "parlor.serving.protocols:GuardedWebSocketProtocol"


def server_command(
    *,
    host: str,
    port: int,
    server: str = UVICORN,
    log_level: str = "info",
    python: str = sys.executable,
) -> list[str]:
    """Return the argv that serves Parlor on host:port with Parlor's limits and guards."""
    if server == UVICORN:
        return [
            python,
            "-m",
            "uvicorn",
            *_bind(host, port),
            *uvicorn_options(log_level),
            APPLICATION,
        ]
    if server == DAPHNE:
        return [python, "-m", "parlor.serving.daphne", *daphne_options(log_level), "-b", host,
                "-p", str(port), APPLICATION]  # fmt: skip
    raise ValueError(f"unknown server {server!r}; choose from {', '.join(SERVERS)}.")


def uvicorn_options(log_level: str) -> list[str]:
    """Return uvicorn's options: uvloop, the guarded protocols, frame limits and timeouts."""
    return [
        "--loop", "uvloop",
        "--http", HTTP_PROTOCOL,
        "--ws", WEBSOCKET_PROTOCOL,
        "--ws-max-size", str(WEBSOCKET_MAX_BYTES),
        "--ws-per-message-deflate", "false",
        "--ws-ping-interval", str(WEBSOCKET_PING_INTERVAL_SECONDS),
        "--ws-ping-timeout", str(WEBSOCKET_PING_TIMEOUT_SECONDS),
        "--timeout-keep-alive", str(KEEP_ALIVE_TIMEOUT_SECONDS),
        # Forwarded headers are read by parlor.base.addresses with PARLOR_TRUSTED_PROXY_COUNT,
        # the one rule; uvicorn's own reading would let any client on a trusted address (and,
        # with --forwarded-allow-ips '*', any client at all) pick its own address.
        "--no-proxy-headers",
        "--no-server-header",
        "--no-access-log",
        "--lifespan", "off",
        "--log-level", log_level,
    ]  # fmt: skip


def daphne_options(log_level: str) -> list[str]:
    """Return Daphne's options with the same frame limits and timeouts as uvicorn's."""
    verbosity = "0" if log_level in {"warning", "error", "critical"} else "1"
    return [
        "--websocket-max-message-size", str(WEBSOCKET_MAX_BYTES),
        "--websocket-max-frame-size", str(WEBSOCKET_MAX_BYTES),
        "--ping-interval", str(WEBSOCKET_PING_INTERVAL_SECONDS),
        "--ping-timeout", str(WEBSOCKET_PING_TIMEOUT_SECONDS),
        "--websocket_connect_timeout", str(WEBSOCKET_CONNECT_TIMEOUT_SECONDS),
        "--verbosity", verbosity,
    ]  # fmt: skip


def _bind(host: str, port: int) -> list[str]:
    return ["--host", host, "--port", str(port)]
