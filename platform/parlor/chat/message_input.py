"""The one check of what a producer posts: body and client_msg_id, whoever sends them.

The socket, the REST API and the dashboard all post through parlor.chat.posting, which calls
this first, before any database connection is taken. Each refusal is a ValidationFailed with
a machine code the transports share: `body_too_large`, `body_empty`, and `invalid_field` for
anything malformed (the socket's protocol calls that `bad_frame`).
"""

from __future__ import annotations

from dataclasses import dataclass

from parlor.base.conf import setting
from parlor.base.errors import ValidationFailed

MAX_CLIENT_MSG_ID_LENGTH = 64
INVALID = "invalid_field"
BODY_TOO_LARGE = "body_too_large"
BODY_EMPTY = "body_empty"


@dataclass(frozen=True, slots=True)
class MessageInput:
    """A body and client_msg_id every producer may post."""

    body: str
    client_msg_id: str


def message_input_check(*, body: object, client_msg_id: object) -> MessageInput:
    """Return the input if it may be posted, else raise ValidationFailed with its code."""
    return MessageInput(body=body_check(body), client_msg_id=client_msg_id_check(client_msg_id))


def body_check(body: object) -> str:
    """Return `body` if it is a string within BODY_MAX_BYTES, not blank and without NUL."""
    if not isinstance(body, str):
        raise ValidationFailed("body must be a string.", code=INVALID)
    limit = setting("BODY_MAX_BYTES")
    if len(body) > limit or _utf8_size(body) > limit:
        raise ValidationFailed(f"body is over {limit} bytes.", code=BODY_TOO_LARGE)
    if not body.strip():
        raise ValidationFailed("body is empty.", code=BODY_EMPTY)
    # PostgreSQL text cannot hold NUL: refuse it here rather than fail half-way in storage.
    if "\x00" in body:
        raise ValidationFailed("body must not contain NUL characters.", code=INVALID)
    return body


def client_msg_id_check(value: object) -> str:
    """Return `value` if it is a client_msg_id: 1-64 characters, no NUL."""
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_CLIENT_MSG_ID_LENGTH
        or "\x00" in value
    ):
        raise ValidationFailed(
            f"client_msg_id must be a string of 1-{MAX_CLIENT_MSG_ID_LENGTH} characters.",
            code=INVALID,
        )
    return value


def _utf8_size(text: str) -> int:
    if text.isascii():
        return len(text)
    try:
        return len(text.encode())
    except UnicodeEncodeError:
        # A lone surrogate: no UTF-8 text, so nothing PostgreSQL could store.
        raise ValidationFailed("body must be valid text.", code=INVALID) from None
