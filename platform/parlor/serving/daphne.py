"""`python -m parlor.serving.daphne`: Daphne with Parlor's guard, the only way Parlor runs on it.

autobahn, under Daphne, refuses a bad handshake with `HTTP/1.1 400 <reason>`, and some reasons
quote request headers: two `parlor.token.<JWT>` subprotocols answer `duplicate protocol
"parlor.token.<JWT>"` (issue 9, item 8). That check runs before any ASGI code, so no middleware
can stop it; the guard replaces the reason with the bare status phrase.
"""

from __future__ import annotations

# Daphne installs Twisted's asyncio reactor on import: it must come before anything Twisted.
import daphne.server  # noqa: F401  isort:skip

import logging
import sys
from http import HTTPStatus

from autobahn.websocket.protocol import WebSocketServerProtocol
from daphne.cli import CommandLineInterface
from daphne.ws_protocol import WebSocketProtocol

logger = logging.getLogger(__name__)


def fail_handshake_without_echo(self, reason: str, code: int = 400, responseHeaders=None) -> None:
    """Refuse the handshake with the status phrase only; `reason` may quote the token."""
    logger.info("websocket handshake refused with HTTP %d", code)
    WebSocketServerProtocol.failHandshake(self, _phrase(code), code, responseHeaders)


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Bad Request"


def install_guard() -> None:
    """Make Daphne's WebSocket protocol refuse handshakes without echoing the request."""
    WebSocketProtocol.failHandshake = fail_handshake_without_echo


def main(argv: list[str] | None = None) -> None:
    """Run Daphne's command line with the guard installed."""
    install_guard()
    CommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
