"""A lean WebSocket client for the load generator: websockets' sans-I/O protocol on asyncio."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Origin, Subprotocol
from websockets.uri import parse_uri

TextHandler = Callable[[bytes], None]


def _ignore(data: bytes) -> None:
    """Drop a message (the default handler)."""


class ClientConnection(asyncio.Protocol):
    """One client socket; calls `on_text(payload)` for every text message received.

    The asyncio client of `websockets` queues every message through futures; with hundreds
    of sockets on one core that overhead would cap the load generator below the servers.
    """

    def __init__(self, protocol: ClientProtocol, on_text: TextHandler) -> None:
        loop = asyncio.get_running_loop()
        self.protocol = protocol
        self.on_text = on_text
        self.opened: asyncio.Future[Response] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.close_code: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the opening handshake."""
        self.transport = transport  # type: ignore[assignment]
        self.protocol.send_request(self.protocol.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        """Feed bytes to the protocol and dispatch what it parsed."""
        self.protocol.receive_data(data)
        self._dispatch()

    def eof_received(self) -> bool | None:
        """Let the protocol see the end of the stream."""
        self.protocol.receive_eof()
        self._dispatch()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        """Resolve `closed` (and fail `opened` if the handshake never finished)."""
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"connection lost: {exc}"))
        if not self.closed.done():
            self.closed.set_result(None)

    def send_text(self, payload: bytes) -> None:
        """Send one text message (already UTF-8 encoded)."""
        self.protocol.send_text(payload)
        self._flush()

    def close(self) -> None:
        """Start the closing handshake; the transport closes when the server answers."""
        if self.transport is None or self.transport.is_closing():
            return
        try:
            self.protocol.send_close(1000)
            self._flush()
        except Exception:
            self.transport.close()

    def abort(self) -> None:
        """Drop the TCP connection at once."""
        if self.transport is not None:
            self.transport.abort()

    def _dispatch(self) -> None:
        for event in self.protocol.events_received():
            if isinstance(event, Frame):
                self._frame(event)
            elif isinstance(event, Response):
                self._response(event)
        self._flush()

    def _frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.TEXT:
            self.on_text(frame.data)
        elif frame.opcode is Opcode.CLOSE and self.protocol.close_rcvd is not None:
            self.close_code = self.protocol.close_rcvd.code

    def _response(self, response: Response) -> None:
        if self.opened.done():
            return
        if self.protocol.handshake_exc is not None:
            self.opened.set_exception(self.protocol.handshake_exc)
        else:
            self.opened.set_result(response)

    def _flush(self) -> None:
        if self.transport is None:
            return
        for data in self.protocol.data_to_send():
            if data:
                self.transport.write(data)
            elif self.transport.can_write_eof():
                self.transport.write_eof()
        if self.protocol.close_expected() and not self.transport.is_closing():
            # The server closes the TCP connection first; do not wait for it forever.
            asyncio.get_running_loop().call_later(2.0, self.transport.close)


async def connect(
    url: str,
    *,
    on_text: TextHandler = _ignore,
    subprotocols: Sequence[str] | None = None,
    origin: str | None = None,
    offer_compression: bool = False,
    timeout: float = 10.0,
) -> ClientConnection:
    """Open a WebSocket to `url` and return once the handshake succeeded; raise otherwise."""
    uri = parse_uri(url)
    protocol = ClientProtocol(
        uri,
        origin=Origin(origin) if origin else None,
        subprotocols=[Subprotocol(name) for name in subprotocols] if subprotocols else None,
        extensions=[ClientPerMessageDeflateFactory()] if offer_compression else None,
        max_size=None,
    )
    loop = asyncio.get_running_loop()
    _, connection = await asyncio.wait_for(
        loop.create_connection(lambda: ClientConnection(protocol, on_text), uri.host, uri.port),
        timeout,
    )
    try:
        await asyncio.wait_for(asyncio.shield(connection.opened), timeout)
    except BaseException:
        connection.abort()
        raise
    return connection
