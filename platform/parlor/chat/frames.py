"""Parsing of client frames and building of server frames (JSON text, encoded once with orjson)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from parlor.base.groups import ROOM_ID_PATTERN
from parlor.base.identity import Principal
from parlor.base.text import InvalidText, json_decode
from parlor.chat.records import StoredMessage
from parlor.realtime import protocol

MAX_REQUEST_ID_LENGTH = 64
MAX_TOKEN_LENGTH = 8192


class FrameError(Exception):
    """A client frame the server refuses: answered with an `error` frame, the socket stays."""

    def __init__(self, code: str, detail: str, *, re: str | None = None, room: str | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.re = re
        self.room = room


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits frames are checked against (from PARLOR settings)."""

    body_max_bytes: int
    history_max: int
    history_default: int


def _room(value: Any, name: str, limits: Limits) -> str:
    if not isinstance(value, str) or not ROOM_ID_PATTERN.fullmatch(value):
        raise ValueError(f"'{name}' must be 1-64 characters of A-Z a-z 0-9 _ -")
    return value


def _seq(value: Any, name: str, limits: Limits) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"'{name}' must be an integer >= 0")
    return value


def _flag(value: Any, name: str, limits: Limits) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"'{name}' must be true or false")
    return value


def _token(value: Any, name: str, limits: Limits) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_TOKEN_LENGTH:
        raise ValueError(f"'{name}' must be a non-empty string")
    return value


def _availability(value: Any, name: str, limits: Limits) -> str:
    if value not in ("online", "away"):
        raise ValueError(f'\'{name}\' must be "online" or "away"')
    return value


def _limit(value: Any, name: str, limits: Limits) -> int:
    if type(value) is not int or not 1 <= value <= limits.history_max:
        raise ValueError(f"'{name}' must be an integer from 1 to {limits.history_max}")
    return value


def _posted(value: Any, name: str, limits: Limits) -> Any:
    # Checked with every other producer's input by parlor.chat.message_input (in the service).
    return value


Check = Callable[[Any, str, Limits], Any]

# For each client frame type: its required and optional fields with their checks.
SCHEMAS: dict[str, tuple[dict[str, Check], dict[str, Check]]] = {
    protocol.CLIENT_JOIN: ({"room": _room}, {"since_seq": _seq}),
    protocol.CLIENT_LEAVE: ({"room": _room}, {}),
    protocol.CLIENT_SEND: ({"room": _room, "body": _posted, "client_msg_id": _posted}, {}),
    protocol.CLIENT_TYPING: ({"room": _room, "active": _flag}, {}),
    protocol.CLIENT_READ: ({"room": _room, "seq": _seq}, {}),
    protocol.CLIENT_HISTORY: ({"room": _room}, {"before": _seq, "after": _seq, "limit": _limit}),
    protocol.CLIENT_PING: ({}, {}),
    protocol.CLIENT_AUTH_REFRESH: ({"token": _token}, {}),
    protocol.CLIENT_AVAILABILITY: ({"status": _availability}, {}),
}
assert set(SCHEMAS) == protocol.CLIENT_TYPES


def frame_parse(text: str, limits: Limits) -> dict[str, Any]:
    """Return the checked fields of a client frame (plus `type` and `re`), or raise FrameError."""
    try:
        raw = json_decode(text)
    except InvalidText:
        raise FrameError(
            protocol.ERROR_BAD_FRAME, "the frame's text is not valid Unicode."
        ) from None
    except ValueError:
        raise FrameError(protocol.ERROR_BAD_JSON, "the frame is not valid JSON.") from None
    if not isinstance(raw, dict):
        raise FrameError(protocol.ERROR_BAD_JSON, "the frame must be a JSON object.")
    re = _request_id(raw)
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise FrameError(protocol.ERROR_BAD_FRAME, "'type' must be a string.", re=re)
    if kind not in SCHEMAS:
        raise FrameError(protocol.ERROR_UNKNOWN_TYPE, "unknown frame type.", re=re)
    frame = {"type": kind, "re": re, **_fields(raw, kind, limits, re)}
    if kind == protocol.CLIENT_HISTORY and "before" in frame and "after" in frame:
        detail = "give 'before' or 'after', not both."
        raise FrameError(protocol.ERROR_BAD_FRAME, detail, re=re, room=frame["room"])
    return frame


def _request_id(raw: dict) -> str | None:
    re = raw.get("id")
    if re is None:
        return None
    if not isinstance(re, str) or len(re) > MAX_REQUEST_ID_LENGTH:
        raise FrameError(
            protocol.ERROR_BAD_FRAME,
            f"'id' must be a string of at most {MAX_REQUEST_ID_LENGTH} characters.",
        )
    return re


def _fields(raw: dict, kind: str, limits: Limits, re: str | None) -> dict[str, Any]:
    required, optional = SCHEMAS[kind]
    fields: dict[str, Any] = {}
    room = raw.get("room")
    if not isinstance(room, str) or not ROOM_ID_PATTERN.fullmatch(room):
        room = None  # echo only a well-formed room id
    for name, check in (*required.items(), *optional.items()):
        value = raw.get(name)
        if value is None:
            if name in required:
                detail = f"'{name}' is required."
                raise FrameError(protocol.ERROR_BAD_FRAME, detail, re=re, room=room)
            continue
        try:
            fields[name] = check(value, name, limits)
        except ValueError as error:
            raise FrameError(protocol.ERROR_BAD_FRAME, f"{error}.", re=re, room=room) from None
    return fields


def encode(frame: dict[str, Any]) -> str:
    """Return a server frame as JSON text (datetimes in UTC with a 'Z')."""
    return orjson.dumps(frame, option=orjson.OPT_UTC_Z).decode()


def sender_of(principal: Principal) -> dict[str, str]:
    """Return the public identity of a principal: kind, id and display name."""
    return {"kind": principal.kind.value, "id": principal.subject, "name": principal.name}


def message_fields(message: StoredMessage) -> dict[str, Any]:
    """Return the fields of a `message` frame for a stored message."""
    return {
        "type": protocol.SERVER_MESSAGE,
        "room": message.room_id,
        "id": message.id,
        "seq": message.seq,
        "sender": {
            "kind": message.sender_kind,
            "id": message.sender_id,
            "name": message.sender_name,
        },
        "body": message.body,
        "sent_at": message.sent_at,
        "client_msg_id": message.client_msg_id,
    }


def reply(re: str | None, **fields: Any) -> dict[str, Any]:
    """Return a reply frame carrying the request's id as `re` when it had one."""
    if re is not None:
        fields["re"] = re
    return fields


def error_frame(
    code: str, detail: str, *, re: str | None = None, room: str | None = None
) -> dict[str, Any]:
    """Return an `error` frame: a machine code, one line, and the request it answers."""
    frame: dict[str, Any] = {"type": protocol.SERVER_ERROR, "code": code, "detail": detail}
    if re is not None:
        frame["re"] = re
    if room is not None:
        frame["room"] = room
    return frame
