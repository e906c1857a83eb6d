"""How the load generator speaks to each server: URLs, credentials and frames.

The tutorial and the bare peer speak the tutorial's protocol (room in the URL, frames
`{"message": ...}`); Parlor speaks docs/protocol.md (one socket, token in a subprotocol,
`join`, `send` with `client_msg_id`, `ack` then `message`).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

# Kinds of frame the load generator tells apart.
MESSAGE = "message"
ACK = "ack"
OTHER = "other"


@dataclass(frozen=True)
class Incoming:
    """One frame from the server, reduced to what the load generator needs."""

    kind: str
    body: str = ""  # for MESSAGE: the message body
    client_msg_id: str = ""  # for ACK
    frame_type: str = ""  # the protocol's own type name, for waiting on hello/joined
    error: str = ""  # the error code of an `error` frame


class RoomUrlAdapter:
    """The tutorial's protocol: one socket per room, the room in the URL, echo to all."""

    name = "room-url"
    acks = False  # no ack: the sender's own copy of its message stands in for one

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def url(self, room: str, server: int = 0) -> str:
        return f"{self.base_url}/ws/chat/{room}/"

    def subprotocols(self, client_index: int) -> list[str] | None:
        return None

    def join_frames(self, room: str) -> list[bytes]:
        """Return the frames to send after connecting to be a member of `room` (none here)."""
        return []

    def ready_types(self) -> tuple[str, ...]:
        """Return the frame types to wait for after connecting, in order (none here)."""
        return ()

    def joined_type(self) -> str | None:
        return None

    def send_frame(self, room: str, body: str, client_msg_id: str) -> bytes:
        return orjson.dumps({"message": body})

    def parse(self, data: bytes) -> Incoming:
        return Incoming(kind=MESSAGE, body=orjson.loads(data)["message"])


class ParlorAdapter:
    """Parlor's protocol v1: token subprotocol, `hello`, `join`/`joined`, `send`, `ack`."""

    name = "parlor"
    acks = True

    def __init__(self, base_url: str | list[str], tokens: list[str]) -> None:
        # One URL per server process (the scaleout scenario runs two behind one Redis).
        urls = [base_url] if isinstance(base_url, str) else base_url
        self.base_urls = [url.rstrip("/") for url in urls]
        self.tokens = tokens

    def url(self, room: str, server: int = 0) -> str:
        return f"{self.base_urls[server]}/ws/v1/"

    def subprotocols(self, client_index: int) -> list[str]:
        return ["parlor.v1", "parlor.token." + self.tokens[client_index % len(self.tokens)]]

    def join_frames(self, room: str) -> list[bytes]:
        return [orjson.dumps({"type": "join", "room": room, "id": "j"})]

    def ready_types(self) -> tuple[str, ...]:
        return ("hello",)

    def joined_type(self) -> str | None:
        return "joined"

    def send_frame(self, room: str, body: str, client_msg_id: str) -> bytes:
        return orjson.dumps(
            {"type": "send", "room": room, "body": body, "client_msg_id": client_msg_id}
        )

    def parse(self, data: bytes) -> Incoming:
        if b'"presence"' in data[:48]:
            # Presence lists grow with the room; parsing each would measure the load generator.
            return Incoming(kind=OTHER, frame_type="presence")
        frame = orjson.loads(data)
        frame_type = frame.get("type", "")
        if frame_type == "message":
            return Incoming(kind=MESSAGE, body=frame["body"], frame_type=frame_type)
        if frame_type == "ack":
            return Incoming(kind=ACK, client_msg_id=frame["client_msg_id"], frame_type=frame_type)
        return Incoming(kind=OTHER, frame_type=frame_type, error=frame.get("code", ""))


def adapter_for(protocol: str, base_urls: list[str], tokens: list[str] | None = None):
    """Return the adapter for `protocol` ("room-url" or "parlor"); only Parlor's speaks to
    more than one server process."""
    if protocol == "parlor":
        return ParlorAdapter(base_urls, tokens or [])
    return RoomUrlAdapter(base_urls[0])
