"""uvicorn's HTTP and WebSocket protocols with Parlor's guards, named in server_command().

* HTTP: each request's headers must arrive within HEADER_TIMEOUT_SECONDS and HEADER_MAX_BYTES
  (uvicorn itself waits forever for a client that drips its headers: slowloris, issue 9).
* WebSocket: a refused handshake answers a fixed body, never the offending header: websockets
  quotes a malformed Sec-WebSocket-Protocol, which carries the client's token (issue 9, item 8).
  It also offers `parlor.base.text_frames.TEXT_WRITE_EXTENSION`: a fan-out's text is framed
  once per process and written to each socket directly, not encoded again per socket (issue 11).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

from parlor.base.sweep import monotonic_sweep
from parlor.base.text_frames import TEXT_WRITE_EXTENSION, text_frame
from parlor.serving.socket_state import ReceiveQueue, WriteGate

HEADER_TIMEOUT_SECONDS = 10.0
HEADER_MAX_BYTES = 32 * 1024
REFUSED_HANDSHAKE_BODY = "Failed to open a WebSocket connection.\n"

logger = logging.getLogger(__name__)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that closes a connection whose headers come too slowly."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the first request's header deadline as the connection opens."""
        self.header_deadline: asyncio.TimerHandle | None = None
        self.header_bytes = 0
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline of a connection that is gone."""
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Count header bytes while a request's headers are being read, refusing too many."""
        if self.header_deadline is not None:
            self.header_bytes += len(data)
            if self.header_bytes > HEADER_MAX_BYTES:
                self._disarm_header_deadline()
                logger.info("request headers over %d bytes; connection closed", HEADER_MAX_BYTES)
                self.send_400_response("Request headers too large.")
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        """Start the header deadline of the next request on a kept-alive connection."""
        super().on_message_begin()
        if self.header_deadline is None:
            self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        """The headers are in: the deadline is met (a WebSocket upgrade leaves here too)."""
        self._disarm_header_deadline()
        super().on_headers_complete()

    def _arm_header_deadline(self) -> None:
        self.header_bytes = 0
        self.header_deadline = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._header_timeout)

    def _disarm_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _header_timeout(self) -> None:
        self.header_deadline = None
        if not self.transport.is_closing():
            logger.info("request headers not complete in %.0f s; connection closed",
                        HEADER_TIMEOUT_SECONDS)  # fmt: skip
            self.transport.close()


class GuardedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol whose refused handshakes never echo the request."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Idle memory (issue 11): no deques per socket while nothing waits.
        self.queue = ReceiveQueue()  # type: ignore[assignment]
        self.writable = WriteGate()  # type: ignore[assignment]
        connection = self.conn
        # At DEBUG, websockets logs refused handshakes with their headers (the token) and every
        # frame (message bodies): neither may reach a log, whatever the log level.
        connection.debug = False
        connection.accept = functools.partial(handshake_answer, connection)  # type: ignore[method-assign]

    def handle_connect(self, event: Request) -> None:
        """Start the application, offering it the direct text writer in the scope."""
        super().handle_connect(event)
        if self.handshake_initiated and not self.close_sent:
            self.scope["extensions"][TEXT_WRITE_EXTENSION] = self.text_write

    def start_keepalive(self) -> None:
        """The handshake is answered (uvicorn calls this then): drop what only it needed."""
        # Parlor's application copied what it reads from the scope before it accepted
        # (parlor.realtime.middleware); the request, its headers (the token among them) and
        # the response would otherwise stay for the socket's whole life.
        self.request = self.response = None  # type: ignore[assignment]
        self.scope["headers"] = []
        del self.conn.accept
        super().start_keepalive()

    # Keepalive pings come from the process's one sweep, not a timer per socket (issue 11,
    # idle memory): a ping may leave up to a second after its interval, never before. The
    # pong's deadline stays uvicorn's own timer; it lives only while a ping is unanswered.
    def schedule_ping(self) -> None:
        """Ask the sweep to send the next ping after the interval (less the last round trip)."""
        assert self.ping_interval is not None
        delay = max(0.0, self.ping_interval - self.last_ping_rtt)
        monotonic_sweep.schedule(self, time.monotonic() + delay)

    def sweep_due(self) -> None:
        """The interval has passed: ping now (uvicorn then waits for the pong)."""
        self.send_keepalive_ping()

    def stop_keepalive(self) -> None:
        """Forget the next ping and any pong deadline."""
        monotonic_sweep.cancel(self)
        super().stop_keepalive()

    def text_write(self, text: str) -> bool:
        """Write `text` as one frame now and return True, or return False to use ASGI's send."""
        # ASGI's send would refuse or wait in each case below; the caller takes that path then.
        if (
            self.close_sent
            or self.disconnected
            or not self.handshake_complete
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
        ):
            return False
        self.transport.write(text_frame(text))
        return True


def handshake_answer(connection: ServerProtocol, request: Request) -> Response:
    """Return websockets' answer to `request`, with a fixed body when it refuses the handshake."""
    response = ServerProtocol.accept(connection, request)
    if response.status_code == 101:
        return response
    logger.info("websocket handshake refused with HTTP %d", response.status_code)
    return connection.reject(response.status_code, REFUSED_HANDSHAKE_BODY)
