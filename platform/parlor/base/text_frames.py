"""Writing a text frame straight to a socket: framed once per message, however many readers.

A room's message reaches every member socket of a process as the same `str`. Through ASGI,
each socket would encode it, frame it and join its output again; Parlor's uvicorn protocol
(`parlor.serving.protocols`) instead offers the ASGI extension `TEXT_WRITE_EXTENSION`: a
callable that writes an already framed text to the transport when nothing else waits, and
says False (writing nothing) when the caller must go through ASGI's `send` instead (the socket
is not open, or its transport is backed up). `text_frame` frames a text once and reuses the
bytes for the next socket that writes the very same text object.
"""

from __future__ import annotations

import struct

# In scope["extensions"]: Callable[[str], bool]; absent under servers that do not offer it.
TEXT_WRITE_EXTENSION = "parlor.websocket.text_write"

_FIN_TEXT = 0x81  # FIN bit and opcode 1 (text); frames from a server are never masked
# The last text framed and its frame, as one tuple: a reader in another thread (a test's
# loop) sees both from the same write.
_last: tuple[str | None, bytes] = (None, b"")


def text_frame(text: str) -> bytes:
    """Return the unmasked, unfragmented WebSocket frame carrying `text` (RFC 6455, 5.2)."""
    global _last
    last = _last
    # Identity, not equality: a fan-out hands one object to every socket in turn.
    if last[0] is text:
        return last[1]
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((_FIN_TEXT, size))
    elif size < 65536:
        header = struct.pack("!BBH", _FIN_TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", _FIN_TEXT, 127, size)
    frame = header + payload
    _last = (text, frame)
    return frame
