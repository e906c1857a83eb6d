"""The one server command line: the same limits on both servers, no trust in forwarded headers."""

from __future__ import annotations

import pytest

from parlor.serving.command import (
    APPLICATION,
    DAPHNE,
    UVICORN,
    WEBSOCKET_MAX_BYTES,
    server_command,
)


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_uvicorn_runs_uvloop_with_the_guarded_protocols_and_the_frame_limit():
    command = server_command(host="0.0.0.0", port=8000)
    assert command[1:3] == ["-m", "uvicorn"] and command[-1] == APPLICATION
    assert option(command, "--loop") == "uvloop"
    assert option(command, "--http").startswith("parlor.serving.protocols:")
    assert option(command, "--ws").startswith("parlor.serving.protocols:")
    assert option(command, "--ws-max-size") == str(WEBSOCKET_MAX_BYTES)
    assert (option(command, "--host"), option(command, "--port")) == ("0.0.0.0", "8000")


def test_uvicorn_never_reads_forwarded_headers_itself():
    command = server_command(host="127.0.0.1", port=1)
    assert "--no-proxy-headers" in command
    assert "--proxy-headers" not in command and "--forwarded-allow-ips" not in command


def test_daphne_runs_behind_the_echo_guard_with_the_same_frame_limit():
    command = server_command(host="127.0.0.1", port=1, server=DAPHNE)
    assert command[1:3] == ["-m", "parlor.serving.daphne"] and command[-1] == APPLICATION
    assert option(command, "--websocket-max-message-size") == str(WEBSOCKET_MAX_BYTES)
    assert option(command, "--websocket-max-frame-size") == str(WEBSOCKET_MAX_BYTES)


def test_an_unknown_server_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=f"{UVICORN}, {DAPHNE}"):
        server_command(host="127.0.0.1", port=1, server="hypercorn")
